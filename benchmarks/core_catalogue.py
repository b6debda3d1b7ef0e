"""The benchmark's product catalogue: realistic mixed Chinese/Latin names and search terms.

Names combine a brand (Chinese or Latin), sometimes a material or a flavour, an item and a
spec: "苏泊尔不锈钢保温杯 500ml", "蒙牛纯牛奶 250ml*12 原味", "Nike Air 42", "Philips 电动牙刷
HX6730", "不锈钢保温杯 500ml". A few rare names ("麒麟牌紫砂壶 600ml", "Zebra 斑马牌荧光笔 5色")
give the search terms something rare to find; the vocabulary avoids the letters and pieces the
"absent" terms are made of (no "v", no "奶杯", no 保温杯 of 2 L).
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Item:
    """A kind of goods: its name, unit, specs, cost range and where it is made of."""

    name: str
    unit: str
    specs: tuple[str, ...]
    cost: tuple[float, float]
    materials: tuple[str, ...] = ()
    flavours: tuple[str, ...] = ()
    latin: bool = False  # a Latin item name ("Power Bank")

    @property
    def by_weight(self) -> bool:
        """Sold by the kilogram: quantities with three decimals."""
        return self.unit == "kg"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ZH_BRANDS = _words(
    "伊利 蒙牛 光明 康师傅 统一 农夫山泉 娃哈哈 海天 李锦记 金龙鱼 三只松鼠 "
    "良品铺子 得力 晨光 小米 华为 苏泊尔 美的 九阳 双汇 雀巢 立白 蓝月亮 维达 "
    "清风 心相印 旺旺 安踏 李宁 回力 鲁花 福临门 百草味 恒安 洁柔 云南白药 南孚 "
    "公牛 欧普 老干妈"
)
LATIN_BRANDS = _words(
    "Nike Adidas Sony Philips Colgate Oreo Lipton Anker Uniqlo Lego Bosch Nestle "
    "Apple Puma Casio Canon Braun Tefal Logitech Xiaomi Huawei Ikea Muji Baseus Ugreen"
)
STYLES = _words(
    "经典 新款 加厚 升级版 进口 有机 家庭装 旅行装 红色 蓝色 黑色 白色 灰色 Pro Max Mini Lite Plus"
)

ITEMS = (
    Item(
        "纯牛奶",
        "箱",
        ("250ml*12", "250ml*24", "1L*6"),
        (35, 90),
        flavours=("原味", "低脂", "全脂"),
    ),
    Item("酸奶", "箱", ("100g*8", "200g*10"), (20, 60), flavours=("原味", "草莓味", "黄桃味")),
    Item("矿泉水", "箱", ("550ml*24", "1.5L*12", "380ml*24"), (18, 40)),
    Item("方便面", "箱", ("5连包", "桶装 12桶"), (15, 45), flavours=("红烧牛肉", "老坛酸菜")),
    Item("酱油", "瓶", ("500ml", "1.9L"), (6, 25), flavours=("生抽", "老抽")),
    Item("食用油", "桶", ("5L", "1.8L"), (40, 120), flavours=("花生油", "玉米油")),
    Item("大米", "kg", ("散装",), (4, 12)),
    Item("白砂糖", "kg", ("散装",), (5, 9)),
    Item("苹果", "kg", ("红富士", "80mm"), (6, 15)),
    Item("茶叶", "盒", ("250g", "礼盒 500g"), (50, 400), flavours=("龙井", "铁观音", "普洱")),
    Item("饼干", "袋", ("200g", "量贩装 1kg"), (5, 30), flavours=("原味", "巧克力味")),
    Item("巧克力", "盒", ("100g", "礼盒装"), (10, 120)),
    Item("咖啡 Coffee", "盒", ("三合一 30条", "挂耳 10包"), (30, 120)),
    Item("保温杯", "个", ("350ml", "500ml", "750ml"), (30, 180), materials=("不锈钢", "钛")),
    Item("保温壶", "个", ("1.5L", "2L"), (60, 220), materials=("不锈钢",)),
    Item("马克杯", "个", ("400ml", "350ml"), (12, 60), materials=("陶瓷", "玻璃")),
    Item("玻璃杯", "个", ("300ml", "6只装"), (8, 40)),
    Item("砧板", "块", ("大号", "中号"), (20, 90), materials=("橡木", "实木", "塑料")),
    Item("收纳盒", "个", ("大号", "三件套"), (15, 60), materials=("塑料", "橡木")),
    Item("毛巾", "条", ("34x76cm", "3条装"), (10, 40), materials=("纯棉",)),
    Item("T恤", "件", ("S", "M", "L", "XL"), (30, 120), materials=("纯棉",)),
    Item("拖鞋", "双", ("38码", "40码", "42码", "44码"), (10, 50), materials=("棉", "塑料")),
    Item("运动鞋", "双", ("40码", "42码", "43码"), (150, 600)),
    Item("中性笔", "盒", ("0.5mm 12支", "0.38mm 12支"), (8, 30)),
    Item("笔记本", "本", ("A5", "B5 80页"), (3, 20)),
    Item("洗发水", "瓶", ("400ml", "750ml"), (25, 80)),
    Item("沐浴露", "瓶", ("1L", "500ml"), (20, 70)),
    Item("牙膏", "支", ("120g", "3支装"), (6, 30)),
    Item("电动牙刷", "支", ("HX6730", "声波款"), (100, 500)),
    Item("纸巾", "提", ("3层 10包", "抽纸 24包"), (15, 50)),
    Item("洗衣液", "瓶", ("2kg", "3kg"), (25, 70)),
    Item("数据线", "根", ("1m", "Lightning", "Type-C 2m"), (10, 60)),
    Item("充电器", "个", ("20W", "65W"), (40, 200)),
    Item("电池", "板", ("5号 4粒", "7号 4粒"), (8, 30)),
    Item("USB-C Cable", "根", ("1m", "2m"), (15, 80), latin=True),
    Item("Power Bank", "个", ("10000mAh", "20000mAh"), (80, 300), latin=True),
    Item("Phone Case", "个", ("iPhone 15", "Mate 60"), (10, 60), latin=True),
    Item("Air", "双", ("40", "41", "42", "43", "44"), (300, 900), latin=True),
    Item("Running Shoes", "双", ("42", "43"), (200, 700), latin=True),
    Item("Headphones", "个", ("Wireless", "Bluetooth 5.3"), (100, 900), latin=True),
    Item("Backpack", "个", ("20L", "30L"), (80, 400), latin=True),
)
RARE = (
    (Item("麒麟牌紫砂壶", "把", ("600ml",), (300, 800)), 5),
    (Item("Zebra 斑马牌荧光笔", "盒", ("5色",), (20, 40), latin=True), 5),
)

# kind -> ((class, term), ...): the search benchmark's terms, rare, common and absent mixed.
SEARCH_TERMS: dict[str, tuple[tuple[str, str], ...]] = {
    "zh1": (("common", "杯"), ("rare", "麒"), ("absent", "龘")),
    "zh2": (("common", "牛奶"), ("rare", "紫砂"), ("absent", "奶杯")),
    "zh3": (("common", "保温杯"), ("rare", "麒麟牌"), ("absent", "牛奶杯")),
    "zh5": (("common", "不锈钢保温"), ("rare", "麒麟牌紫砂"), ("absent", "保温杯 2l")),
    "latin1": (("common", "a"), ("rare", "z"), ("absent", "v")),
    "latin2": (("common", "ml"), ("rare", "ze"), ("absent", "qx")),
    "latin3": (("common", "usb"), ("common-pinyin", "bxg"), ("rare", "zeb"), ("absent", "xyz")),
    "latin5": (("common", "cable"), ("rare", "zebra"), ("absent", "qwert")),
}


@dataclass(frozen=True)
class ProductSpec:
    """One generated product."""

    name: str
    unit: str
    cost: Decimal  # the usual purchase price
    by_weight: bool


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _name(item: Item, rng: random.Random) -> str:
    spec = rng.choice(item.specs)
    pattern = rng.random()
    if item.latin:
        brand = rng.choice(LATIN_BRANDS)
        style = f" {rng.choice(STYLES[-5:])}" if rng.random() < 0.2 else ""
        return f"{brand} {item.name}{style} {spec}"
    material = rng.choice(item.materials) if item.materials and rng.random() < 0.7 else ""
    if pattern < 0.15 and material:  # no brand: 不锈钢保温杯 500ml
        return f"{material}{item.name} {spec}"
    if pattern < 0.3 and not item.flavours and not item.by_weight:  # Philips 电动牙刷 HX6730
        return f"{rng.choice(LATIN_BRANDS)} {material}{item.name} {spec}"
    brand = rng.choice(ZH_BRANDS)
    if item.flavours and rng.random() < 0.5:  # 蒙牛纯牛奶 250ml*12 原味
        return f"{brand}{item.name} {spec} {rng.choice(item.flavours)}"
    style = rng.choice(STYLES) if rng.random() < 0.3 else ""
    return f"{brand}{style}{material}{item.name} {spec}"


def products(count: int, rng: random.Random) -> Iterator[ProductSpec]:
    """``count`` products; the rare names are spread through the catalogue."""
    rare_at: dict[int, Item] = {}
    slots = sum(times for _, times in RARE)
    if count >= slots * 10:
        step = count // (slots + 1)
        position = step
        for item, times in RARE:
            for _ in range(times):
                rare_at[position] = item
                position += step
    for n in range(count):
        item = rare_at.get(n) or rng.choice(ITEMS)
        name = _name(item, rng) if n not in rare_at else f"{item.name} {item.specs[0]}"
        low, high = item.cost
        yield ProductSpec(name, item.unit, _money(rng.uniform(low, high)), item.by_weight)
