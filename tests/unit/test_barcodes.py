"""Reading barcodes from photos and drawing them for labels (bot/barcodes.py).

Every image is made here: zxing-cpp's writer draws the code, Pillow then turns, scales and
blurs it the way a phone photo of a shelf label comes out.
"""

import io
import warnings

import pytest
import zxingcpp
from PIL import Image, ImageFilter

from bot.barcodes import candidates, decode, is_ean13, looks_like_code, render_barcode, scan

Format = zxingcpp.BarcodeFormat
CODES = [
    ("6901234567892", Format.EAN13),
    ("96385074", Format.EAN8),
    ("036000291452", Format.UPCA),
    ("A001-XYZ/7", Format.Code128),
    ("jxc:A001", Format.QRCode),
]


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=85)
    return out.getvalue()


def photo(
    code: str, fmt: Format, *, angle: float = 0, scale: float = 1, blur: float = 0
) -> Image.Image:
    """The code drawn (4 px per module) on a sheet, turned, scaled and blurred."""
    bars = Image.fromarray(zxingcpp.create_barcode(code, fmt).to_image(scale=4)).convert("L")
    sheet = Image.new("L", (bars.width + 200, bars.height + 200), 255)
    sheet.paste(bars, (100, 100))
    sheet = sheet.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    size = (round(sheet.width * scale), round(sheet.height * scale))
    sheet = sheet.resize(size, Image.Resampling.BILINEAR)
    if blur:
        sheet = sheet.filter(ImageFilter.GaussianBlur(blur))
    return sheet.convert("RGB")


def read_as(code: str, found: list[str]) -> bool:
    """Whether ``found`` holds ``code`` (a UPC-A may come back in its EAN-13 spelling)."""
    return code in candidates(found)


@pytest.mark.parametrize(("code", "fmt"), CODES, ids=[str(f) for _, f in CODES])
def test_each_format_is_read_from_a_clean_image(code: str, fmt: Format) -> None:
    assert read_as(code, decode(png(photo(code, fmt))))


@pytest.mark.parametrize(("code", "fmt"), CODES, ids=[str(f) for _, f in CODES])
@pytest.mark.parametrize(
    ("angle", "scale", "blur"),
    [(10, 0.7, 1.0), (-15, 1.6, 1.0), (20, 0.8, 0.8), (-20, 2.0, 1.5), (12, 1.0, 0)],
)
def test_a_turned_scaled_blurred_photo_is_read(
    code: str, fmt: Format, angle: float, scale: float, blur: float
) -> None:
    image = photo(code, fmt, angle=angle, scale=scale, blur=blur)

    found = decode(jpeg(image))

    assert read_as(code, found), found
    assert len(found) == 1  # no misread of the same bars beside the real code


def test_a_blank_image_and_a_non_image_give_nothing() -> None:
    assert decode(png(Image.new("RGB", (1200, 900), "white"))) == []
    assert decode(jpeg(Image.new("RGB", (640, 480), (120, 90, 60)))) == []
    assert decode(b"%PDF-1.4 not an image at all") == []
    assert decode(b"") == []


def test_a_photo_taken_sideways_is_read_as_the_phone_shows_it() -> None:
    image = photo("6901234567892", Format.EAN13, angle=90)
    assert decode(jpeg(image)) == ["6901234567892"]


def test_two_codes_in_one_photo_are_both_read() -> None:
    left, right = photo("6901234567892", Format.EAN13), photo("96385074", Format.EAN8)
    both = Image.new("RGB", (left.width + right.width, max(left.height, right.height)), "white")
    both.paste(left, (0, 0))
    both.paste(right, (left.width, 0))
    assert sorted(decode(png(both))) == ["6901234567892", "96385074"]


async def test_scan_decodes_in_a_worker_thread() -> None:
    assert await scan(png(photo("A001-XYZ/7", Format.Code128))) == ["A001-XYZ/7"]


@pytest.mark.parametrize("code", ["6901234567892", "4006381333931"])
def test_a_valid_ean13_is_drawn_as_ean13_and_reads_back(code: str) -> None:
    image = Image.open(io.BytesIO(render_barcode(code)))
    found = zxingcpp.read_barcodes(image)
    assert [(b.text, b.format) for b in found] == [(code, Format.EAN13)]


@pytest.mark.parametrize(
    ("code", "fmt"),
    [
        ("A001", Format.Code128),
        ("6901234567891", Format.Code128),  # 13 digits, wrong check digit: not an EAN-13
        ("HZ-2024-0001-" + "X" * 40, Format.Code128),
        ("茶-1", Format.QRCode),  # beyond Latin-1: Code 128 cannot carry it
    ],
)
def test_other_codes_are_drawn_as_code128_or_qr_and_read_back(code: str, fmt: Format) -> None:
    data = render_barcode(code)
    image = Image.open(io.BytesIO(data))
    assert data.startswith(b"\x89PNG")
    assert image.width / image.height <= 5  # Telegram refuses very thin photos
    assert [(b.text, b.format) for b in zxingcpp.read_barcodes(image)] == [(code, fmt)]
    assert decode(data) == [code]


def test_drawing_and_reading_use_no_deprecated_zxing_call() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # write_barcode() and formats joined by | warn
        render_barcode("6901234567892")
        render_barcode("A001")
        decode(png(photo("96385074", Format.EAN8, angle=15)))


def test_codes_are_tried_in_both_upc_spellings() -> None:
    assert candidates(["0036000291452"]) == ["0036000291452", "036000291452"]
    assert candidates(["036000291452", "A001"]) == ["036000291452", "0036000291452", "A001"]
    assert candidates(["6901234567892", "6901234567892"]) == ["6901234567892"]


def test_what_counts_as_a_typed_barcode_number() -> None:
    assert looks_like_code("6901234567892") and looks_like_code("96385074")
    assert not looks_like_code("A001") and not looks_like_code("1234567")
    assert not looks_like_code("１２３４５６７８")  # full-width digits are a name, not a code
    assert is_ean13("6901234567892") and not is_ean13("6901234567891")
