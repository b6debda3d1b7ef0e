"""Screens of /report (报表): the menu, periods, progress and each report's chat summary.

A summary is short (top lines and totals, well under Telegram's 4096 characters); the full
table goes in the .xlsx file. Cost figures are printed only when core handed them over
(None for clerks and in a group chat): this module never decides who sees costs.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final, Literal

from telegram import InlineKeyboardButton

from bot.i18n import N_, _
from bot.render.accounts import BUCKET_NAMES
from bot.render.documents import local_time, type_name
from bot.render.fonts import typeface
from bot.render.numbers import escape, money, qty
from bot.render.screen import Screen, button, keyboard, rows
from core.catalog.search import ProductHit
from core.finance.results import BUCKETS, Aging
from core.reports import (
    AbcReport,
    PurchaseReport,
    SalesReport,
    SlowMovers,
    StockHistory,
    StockOnHand,
    TurnoverReport,
    TurnoverRow,
)
from core.tenancy.models import Role

TOP: Final = 10  # lines of a summary; the file has them all
DAYS_SHOWN: Final = 31  # a by-day summary shows up to a month of days
SLOW_DAYS: Final = (30, 60, 90, 180)
PeriodKind = Literal["period", "days", "none"]


@dataclass(frozen=True)
class Kind:
    """A report of the menu: its title, what it asks for, who may open it."""

    title: str  # an N_ msgid
    asks: PeriodKind
    least: Role  # the lowest role that sees it in the menu
    private: bool = False  # money owed: never in a group chat


REPORTS: Final = {
    "stock": Kind(N_("📦 Stock on hand"), "none", Role.VIEWER),
    "hist": Kind(N_("📜 Stock history of a product"), "period", Role.VIEWER),
    "sday": Kind(N_("📈 Sales by day"), "period", Role.CLERK),
    "sprod": Kind(N_("🛒 Sales by product"), "period", Role.CLERK),
    "scust": Kind(N_("👥 Sales by customer"), "period", Role.CLERK),
    "purch": Kind(N_("📥 Purchases by supplier"), "period", Role.CLERK),
    "slow": Kind(N_("🐢 Slow movers and dead stock"), "days", Role.VIEWER),
    "abc": Kind(N_("🔤 ABC classification"), "period", Role.CLERK),
    "turn": Kind(N_("🔄 Turnover and days of cover"), "period", Role.CLERK),
    "ar": Kind(N_("📒 Receivables aging"), "none", Role.MANAGER, private=True),
    "ap": Kind(N_("📕 Payables aging"), "none", Role.MANAGER, private=True),
}
SHEETS: Final = {  # file and sheet names (no emoji)
    "stock": N_("Stock on hand"),
    "hist": N_("Stock history"),
    "sday": N_("Sales by day"),
    "sprod": N_("Sales by product"),
    "scust": N_("Sales by customer"),
    "purch": N_("Purchases by supplier"),
    "slow": N_("Slow movers"),
    "abc": N_("ABC classification"),
    "turn": N_("Turnover"),
    "ar": N_("Receivables aging"),
    "ap": N_("Payables aging"),
}
# Column headers of the .xlsx files, by core's column keys (core/reports/tables.py).
HEADERS: Final = {
    "sku": N_("SKU"),
    "name": N_("Product"),
    "unit": N_("Unit"),
    "warehouse": N_("Warehouse"),
    "on_hand": N_("On hand"),
    "avg_cost": N_("Average cost"),
    "value": N_("Stock value"),
    "day": N_("Date"),
    "posted_at": N_("Posted at"),
    "number": N_("Document"),
    "doc_type": N_("Type"),
    "author": N_("By"),
    "qty_in": N_("In"),
    "qty_out": N_("Out"),
    "balance": N_("Balance"),
    "total_balance": N_("All warehouses"),
    "customer": N_("Customer"),
    "supplier": N_("Supplier"),
    "sales": N_("Sales"),
    "returns": N_("Returns"),
    "receipts": N_("Receipts"),
    "qty": N_("Qty"),
    "revenue": N_("Revenue"),
    "cogs": N_("COGS"),
    "gross_profit": N_("Gross profit"),
    "margin": N_("Margin"),
    "amount": N_("Amount"),
    "returned": N_("Returned"),
    "last_sale": N_("Last sale"),
    "days_since_sale": N_("Days without a sale"),
    "share": N_("Share"),
    "cumulative": N_("Cumulative"),
    "abc": N_("Class"),
    "qty_sold": N_("Sold"),
    "daily_sales": N_("Per day"),
    "days_of_cover": N_("Days of cover"),
    "opening_value": N_("Opening value"),
    "closing_value": N_("Closing value"),
    "average_value": N_("Average value"),
    "turnover": N_("Turnover"),
    "party": N_("Name"),
    "total": N_("Total"),
    **BUCKET_NAMES,
}


def headers(key: str) -> dict[str, str]:
    """The .xlsx headers of a report in the user's language."""
    translated = {name: _(text) for name, text in HEADERS.items()}
    if REPORTS[key].private:  # aging: a party's balance, not stock
        translated["balance"] = _("Balance owed")
    return translated


def title(key: str) -> str:
    """A report's title as the menu shows it."""
    return _(REPORTS[key].title)


def sheet_title(key: str) -> str:
    """A report's name for its sheet and file: no emoji, at most 31 characters (Excel)."""
    return re.sub(r"[\[\]:*?/\\]", " ", _(SHEETS[key]))[:31]


def chart_title(key: str) -> str:
    """A chart's title: translated when the chart's font can show it, else in English."""
    return typeface().fit(_(SHEETS[key]), SHEETS[key])


def available(role: Role, in_public: bool) -> list[str]:
    """The reports this member may open here: viewers stock only; no money owed in groups."""
    return [
        key
        for key, kind in REPORTS.items()
        if role.at_least(kind.least) and not (kind.private and in_public)
    ]


# -- periods ---------------------------------------------------------------------------------

PERIODS: Final = {
    "t": N_("Today"),
    "w": N_("This week"),
    "m": N_("This month"),
    "lm": N_("Last month"),
}
_DATE: Final = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def period_dates(code: str, today: date) -> tuple[date, date]:
    """[start, end] of a period button (``t``, ``w``, ``m``, ``lm``) or ``d20261101-20261115``.

    Raises:
        ValueError: not a period this module makes.
    """
    if code == "t":
        return today, today
    if code == "w":
        return today - timedelta(days=today.weekday()), today  # weeks start on Monday
    if code == "m":
        return today.replace(day=1), today
    if code == "lm":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if code.startswith("d") and len(code) == 18 and code[9] == "-":
        start = datetime.strptime(code[1:9], "%Y%m%d").date()  # noqa: DTZ007 - a date
        end = datetime.strptime(code[10:], "%Y%m%d").date()  # noqa: DTZ007 - a date
        return start, end
    raise ValueError(f"not a period: {code!r}")


def period_code(start: date, end: date) -> str:
    """The callback form of custom dates: ``d20261101-20261115``."""
    return f"d{start:%Y%m%d}-{end:%Y%m%d}"


class BadDates(ValueError):
    """Typed dates that are not a period; ``reason`` is said to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_dates(text: str) -> tuple[date, date]:
    """Two typed dates, ``2026-11-01 2026-11-15`` (also 2026/11/01, 2026年11月1日); one: a day.

    Raises:
        BadDates: no date, a date that does not exist, or the end before the start.
    """
    found = _DATE.findall(text)
    if not found or len(found) > 2 or _DATE.sub("", text).strip(" ~～至到to-—–,，") != "":
        raise BadDates(_("Type the first and last day like this: 2026-11-01 2026-11-15"))
    try:
        days = [date(int(y), int(m), int(d)) for y, m, d in found]
    except ValueError:
        raise BadDates(
            _("There is no such date. Type them like this: 2026-11-01 2026-11-15")
        ) from None
    start, end = days[0], days[-1]
    if end < start:
        raise BadDates(_("The last day is before the first. Type them again:"))
    if (end - start).days > 3 * 366:
        raise BadDates(_("At most three years at a time. Type a shorter period:"))
    return start, end


def period_label(start: date, end: date) -> str:
    """2026-11-01 – 2026-11-30, or one day."""
    return start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"


def _period_buttons(
    key: str, arg: int | str, current: str | None = None
) -> list[list[InlineKeyboardButton]]:
    kind = REPORTS[key].asks
    if kind == "days":
        return rows(
            (
                button(
                    ("• " if current == f"n{days}" else "") + _("{days} days").format(days=days),
                    "rep.run",
                    key,
                    f"n{days}",
                    arg,
                )
                for days in SLOW_DAYS
            ),
            per_row=4,
        )
    if kind == "none":
        return []
    presets = [
        button(("• " if current == code else "") + _(label), "rep.run", key, code, arg)
        for code, label in PERIODS.items()
    ]
    custom = button(_("📅 Custom dates…"), "rep.custom", key, arg)
    return [*rows(presets, per_row=2), [custom]]


# -- screens ---------------------------------------------------------------------------------


def menu(keys: Sequence[str]) -> Screen:
    """/report: the reports this member may open."""
    buttons = [button(title(key), "rep.hist" if key == "hist" else "rep", key) for key in keys]
    return Screen(
        _("📊 <b>Reports</b>: which one?"), keyboard(*rows(buttons, per_row=2), cancel=False)
    )


def pick_period(key: str, arg: int | str = 0, subject: str = "") -> Screen:
    """The period buttons of a report (slow movers: how many days without a sale)."""
    head = f"<b>{title(key)}</b>"
    if subject:
        head += " · " + escape(subject)
    ask = _("No sale in how many days?") if REPORTS[key].asks == "days" else _("Which period?")
    back = [button(_("◀ Reports"), "cmd", "report")]
    return Screen(f"{head}\n{ask}", keyboard(*_period_buttons(key, arg), back))


def ask_dates(key: str) -> Screen:
    """Custom dates: asks for the first and last day."""
    ask = _("Type the first and last day like this: 2026-11-01 2026-11-15")
    return Screen(f"<b>{title(key)}</b>\n{ask}", keyboard(cancel=True))


def ask_product() -> Screen:
    """Stock history: which product."""
    return Screen(
        _("📜 Stock history of which product? Type its SKU, barcode or name:"),
        keyboard(cancel=True),
    )


def no_product(term: str) -> str:
    """Re-ask: nothing matches the typed product."""
    return _("No product matches “{term}”. Type its SKU, barcode or name:").format(
        term=escape(term)
    )


def choose_product(hits: Sequence[ProductHit]) -> Screen:
    """Several products match: one button each."""
    buttons = [button(f"{hit.sku} {hit.name}", "rep.hp", hit.product_id) for hit in hits[:8]]
    return Screen(_("Which one?"), keyboard(*rows(buttons, per_row=1), cancel=True))


def progress(key: str, subject: str, percent: int) -> str:
    """The one message that says how far the report is."""
    head = f"<b>{title(key)}</b>" + (f" · {escape(subject)}" if subject else "")
    return head + "\n" + progress_line(percent)


def progress_line(percent: int) -> str:
    """⏳ Building the report… 40 %."""
    return _("⏳ Building the report… {percent} %").format(percent=percent)


def done(summary: str, files: bool, in_public: bool) -> str:
    """The summary once everything was sent."""
    if in_public:
        return summary + "\n\n" + _("✅ Done. Ask me in a private chat for the .xlsx file.")
    if files:
        return summary + "\n\n" + _("✅ Done: the full table is in the .xlsx file below.")
    return summary + "\n\n" + _("✅ Done.")


def failed() -> str:
    """The progress message when the report could not be made."""
    return _("❌ The report could not be made. Please try again.")


def finished(key: str, summary: str, arg: int | str, current: str | None) -> Screen:
    """The summary with the period buttons, to see another period at once."""
    return Screen(summary, keyboard(*_period_buttons(key, arg, current)))


def file_name(key: str, start: date | None, end: date | None) -> str:
    """sales_by_product_2026-11-01_2026-11-30.xlsx (English, so every system can open it)."""
    stem = SHEETS[key].lower().replace(" ", "_")
    if start is None or end is None:
        return f"{stem}.xlsx"
    return f"{stem}_{start.isoformat()}_{end.isoformat()}.xlsx"


def caption(key: str, subject: str) -> str:
    """The caption of a report's file or chart."""
    return _(SHEETS[key]) + (f" · {escape(subject)}" if subject else "")


# -- summaries -------------------------------------------------------------------------------


def _more(shown: int, total: int) -> list[str]:
    if total <= shown:
        return []
    return [_("…and {count} more in the file.").format(count=total - shown)]


def _pct(fraction: Decimal | None) -> str:
    return "—" if fraction is None else f"{fraction * 100:.1f} %"


def _head(key: str, subject: str) -> str:
    return f"<b>{title(key)}</b> · {subject}"


def stock_summary(report: StockOnHand, timezone: str) -> str:
    """Stock on hand: warehouses, the first products, totals (values for managers)."""
    currency = report.currency
    lines = [_head("stock", _("as of {time}").format(time=local_time(report.as_of, timezone)))]
    for house in report.warehouses:
        text = _("{warehouse} · products: {count}").format(
            warehouse=escape(house.warehouse), count=house.products
        )
        if house.value is not None:
            text += " · " + _("value {amount}").format(amount=money(house.value, currency))
        lines.append(text)
    lines.append("")
    for row in report.rows[:TOP]:
        text = f"{escape(row.sku)} {escape(row.name)} · {escape(row.warehouse)} · "
        text += f"{qty(row.on_hand)} {escape(row.unit)}"
        if row.value is not None:
            text += f" · {money(row.value, currency)}"
        lines.append(text)
    if not report.rows:
        lines.append(_("No stock anywhere."))
    lines += _more(min(TOP, len(report.rows)), report.total_rows)
    total = _("Products in stock: {count}").format(count=report.products)
    if report.total_value is not None:
        total += " · " + _("value {amount}").format(
            amount=f"{money(report.total_value, currency)} {currency}"
        )
    lines.append(f"<b>{total}</b>")
    return "\n".join(lines)


def history_summary(report: StockHistory, timezone: str) -> str:
    """One product's moves: opening, the first moves, in and out, closing."""
    unit = escape(report.unit)
    head = f"{escape(report.sku)} {escape(report.name)} · {period_label(report.start, report.end)}"
    lines = [
        _head("hist", head),
        _("Opening: {qty} {unit}").format(qty=qty(report.opening_total), unit=unit),
    ]
    for row in report.rows[:TOP]:
        change = row.qty_in - row.qty_out
        sign = "+" if change > 0 else "−" if change < 0 else ""
        void = " ↩" if row.is_void else ""
        lines.append(
            f"{local_time(row.posted_at, timezone)} {escape(row.number)}{void} "
            f"{type_name(row.doc_type)} {sign}{qty(abs(change))} → {qty(row.total_balance)}"
            f" · {escape(row.warehouse)} · {escape(row.author)}"
        )
    if not report.rows:
        lines.append(_("No moves in this period."))
    lines += _more(min(TOP, len(report.rows)), report.total_rows)
    lines.append(
        "<b>"
        + _("In +{qty_in} · out −{qty_out} · closing {closing} {unit}").format(
            qty_in=qty(report.qty_in),
            qty_out=qty(report.qty_out),
            closing=qty(report.closing_total),
            unit=unit,
        )
        + "</b>"
    )
    return "\n".join(lines)


def sales_summary(key: str, report: SalesReport) -> str:
    """Sales by day, product or customer: the top lines and the totals."""
    currency = report.currency
    lines = [_head(key, period_label(report.start, report.end))]
    limit = DAYS_SHOWN if report.by == "day" else TOP
    for n, row in enumerate(report.rows[:limit], 1):
        if report.by == "day":
            name = row.label
        elif report.by == "product":
            name = f"{escape(row.sku)} {escape(row.label)}"
        else:
            name = escape(row.label or _("Walk-in customer"))
        text = f"{name} — " if report.by == "day" else f"{n}. {name} — "
        text += f"{qty(row.qty)} · {money(row.revenue, currency)}"
        if row.gross_profit is not None:
            text += " · " + _("GP {profit} ({margin})").format(
                profit=money(row.gross_profit, currency), margin=_pct(row.margin)
            )
        lines.append(text)
    if not report.rows:
        lines.append(_("No sales in this period."))
    lines += _more(min(limit, len(report.rows)), report.total_rows)
    totals = report.totals
    total = _("Total: {amount} {currency}").format(
        amount=money(totals.revenue, currency), currency=currency
    )
    lines.append(
        f"<b>{total}</b> · "
        + _("sales: {sales}, returns: {returns}").format(
            sales=totals.sales, returns=totals.returns
        )
    )
    if totals.gross_profit is not None:
        lines.append(
            _("Gross profit: {profit} ({margin})").format(
                profit=money(totals.gross_profit, currency), margin=_pct(totals.margin)
            )
        )
    return "\n".join(lines)


def purchases_summary(report: PurchaseReport) -> str:
    """Purchases by supplier: the biggest suppliers and the totals."""
    currency = report.currency
    lines = [_head("purch", period_label(report.start, report.end))]
    for n, row in enumerate(report.rows[:TOP], 1):
        name = escape(row.supplier or _("No supplier"))
        text = f"{n}. {name} — " + _("receipts: {count}").format(count=row.receipts)
        text += f" · {money(row.amount, currency)}"
        if row.returned:
            text += " (" + _("returned {amount}").format(amount=money(row.returned, currency))
            text += ")"
        lines.append(text)
    if not report.rows:
        lines.append(_("No purchases in this period."))
    lines += _more(min(TOP, len(report.rows)), report.total_rows)
    total = _("Total: {amount} {currency}").format(
        amount=money(report.totals.amount, currency), currency=currency
    )
    lines.append(
        f"<b>{total}</b> · "
        + _("receipts: {receipts}, returns: {returns}").format(
            receipts=report.totals.receipts, returns=report.totals.returns
        )
    )
    return "\n".join(lines)


def slow_summary(report: SlowMovers) -> str:
    """Slow movers: what has not sold, the longest or most valuable first."""
    currency = report.currency
    head = _("no sale in {days} days (as of {date})").format(
        days=report.days, date=report.as_of.isoformat()
    )
    lines = [_head("slow", head)]
    for n, row in enumerate(report.rows[:TOP], 1):
        when = (
            _("never sold")
            if row.last_sale is None
            else _("last sale {date} ({days} days ago)").format(
                date=row.last_sale.isoformat(), days=row.days_since_sale
            )
        )
        text = f"{n}. {escape(row.sku)} {escape(row.name)} · {qty(row.on_hand)} "
        text += f"{escape(row.unit)} · {when}"
        if row.value is not None:
            text += " · " + _("value {amount}").format(amount=money(row.value, currency))
        lines.append(text)
    if not report.rows:
        lines.append(_("Everything in stock sold in this time. 👍"))
    lines += _more(min(TOP, len(report.rows)), report.total_rows)
    total = _("Products: {count}").format(count=report.total_rows)
    if report.total_value is not None:
        total += " · " + _("value tied up {amount}").format(
            amount=f"{money(report.total_value, currency)} {currency}"
        )
    lines.append(f"<b>{total}</b>")
    return "\n".join(lines)


def abc_summary(report: AbcReport) -> str:
    """ABC: the classes' counts and shares, then the top products."""
    currency = report.currency
    lines = [_head("abc", period_label(report.start, report.end))]
    for klass in ("A", "B", "C"):
        count = report.counts.get(klass, 0)
        revenue = report.revenues.get(klass, Decimal(0))
        share = revenue / report.revenue if report.revenue else None
        lines.append(
            _("{klass} · products: {count} · {amount} ({share})").format(
                klass=f"<b>{klass}</b>",
                count=count,
                amount=money(revenue, currency),
                share=_pct(share),
            )
        )
    lines.append("")
    for n, row in enumerate(report.rows[:TOP], 1):
        lines.append(
            f"{n}. {escape(row.sku)} {escape(row.name)} · {row.abc} · "
            f"{money(row.revenue, currency)} ({_pct(row.share)})"
        )
    if not report.rows:
        lines.append(_("No sales in this period."))
    lines += _more(min(TOP, len(report.rows)), report.total_rows)
    total = _("Total: {amount} {currency}").format(
        amount=money(report.revenue, currency), currency=currency
    )
    lines.append(f"<b>{total}</b>")
    return "\n".join(lines)


def turnover_summary(report: TurnoverReport) -> str:
    """Turnover and days of cover: per product, then the whole business."""
    head = (
        period_label(report.start, report.end) + " · " + _("{days} days").format(days=report.days)
    )
    lines = [_head("turn", head)]
    for n, row in enumerate(report.rows[:TOP], 1):
        lines.append(f"{n}. {escape(row.sku)} {escape(row.name)} · " + _turnover_line(row))
    if not report.rows:
        lines.append(_("No products in stock or sold in this period."))
    lines += _more(min(TOP, len(report.rows)), report.total_rows)
    lines.append("<b>" + _("All products") + "</b> · " + _turnover_line(report.totals))
    return "\n".join(lines)


def _turnover_line(row: TurnoverRow) -> str:
    cover = row.days_of_cover
    text = _("sold {sold} ({daily}/day) · on hand {on_hand} · cover {cover}").format(
        sold=qty(row.qty_sold),
        daily=qty(row.daily_sales),
        on_hand=qty(row.on_hand),
        cover=_("{days} days").format(days=f"{cover:,.1f}") if cover is not None else "—",
    )
    if row.turnover is not None:
        text += " · " + _("turnover {times}").format(times=f"{row.turnover:,.2f}")
    return text


def aging_summary(key: str, report: Aging) -> str:
    """Receivables or payables aging: buckets, the biggest balances, the total."""
    currency = report.base_currency
    lines = [_head(key, _("as of {date}").format(date=report.as_of.isoformat()))]
    buckets = [
        f"{_(BUCKET_NAMES[name])} {money(amount, currency)}"
        for name, amount in zip(BUCKETS, report.totals, strict=True)
        if amount
    ]
    if buckets:
        lines.append(" · ".join(buckets))
    lines.append("")
    for n, line in enumerate(report.lines[:TOP], 1):
        overdue = sum(line.buckets[1:5], Decimal(0))
        text = f"{n}. {escape(line.party_name)} · {money(line.total, currency)}"
        if overdue:
            text += " (" + _("{amount} overdue").format(amount=money(overdue, currency)) + ")"
        lines.append(text)
    if not report.lines:
        lines.append(_("Nothing is open. 👍"))
    lines += _more(min(TOP, len(report.lines)), len(report.lines))
    total = _("Total: {amount} {currency}").format(
        amount=money(report.total, currency), currency=currency
    )
    lines.append(f"<b>{total}</b>")
    return "\n".join(lines)
