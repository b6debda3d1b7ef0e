"""Barcodes in pictures: reading them from a photo, drawing one for a label (zxing-cpp 3).

An edge concern, like the Telegram files they arrive in: core only ever sees the code as
text, exactly as if the user had typed it. Decoding is CPU work of tens of milliseconds on a
phone photo, so the bot calls :func:`scan`, which runs :func:`decode` in a worker thread and
leaves the event loop to the other users.

zxing-cpp 3.0 brought the API used here: ``read_barcodes`` with a sequence of formats (the
``|`` of formats is deprecated) and the writer ``create_barcode(...).to_image(...)`` (the old
``write_barcode`` is deprecated).
"""

import asyncio
import io
import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Final

import zxingcpp
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError
from telegram import Message
from telegram.error import TelegramError

from bot.i18n import _

logger = logging.getLogger(__name__)

Format = zxingcpp.BarcodeFormat
READ_FORMATS: Final = zxingcpp.BarcodeFormats(
    [Format.EAN13, Format.EAN8, Format.UPCA, Format.Code128, Format.QRCode]
)
MAX_SIDE: Final = 2000  # larger photos are scaled down first: zxing finds nothing more in them
MIN_SIDE: Final = 400  # a small crop is scaled up, so each bar is a few pixels wide
RETRY_ANGLES: Final = (-15, 15, -30, 30)  # tilted photos the straight scan missed
SHARPEN: Final = ImageFilter.UnsharpMask(radius=2, percent=250, threshold=0)
LABEL_SCALE: Final = 3  # pixels per module of a rendered barcode
LABEL_MIN_HEIGHT_RATIO: Final = 4  # width / height at most this: Telegram refuses thin photos
LABEL_MARGIN: Final = 24
MAX_IMAGE_BYTES: Final = 20 * 1024 * 1024  # what the Bot API lets a bot download


def decode(image_bytes: bytes) -> list[str]:
    """The codes in an image (EAN-13, EAN-8, UPC-A, Code 128, QR), in reading order.

    Anything that is not a readable image gives ``[]``, as does an image without a code.
    """
    image = _open(image_bytes)
    if image is None:
        return []
    for variant in _variants(image):  # lazily: most photos read at the first try
        codes = _read(variant)
        if codes:
            return codes
    return []


async def scan(image_bytes: bytes) -> list[str]:
    """:func:`decode` in a worker thread, off the event loop."""
    return await asyncio.to_thread(decode, image_bytes)


async def codes_in(message: Message) -> list[str]:
    """The codes in a message's photo (its largest size) or image document; ``[]`` if none.

    A file that cannot be downloaded counts as a photo without a readable code: the user's
    answer is the same, try again.
    """
    if message.photo:
        file_id, size = message.photo[-1].file_id, message.photo[-1].file_size
    elif message.document is not None:
        file_id, size = message.document.file_id, message.document.file_size
    else:
        return []
    if size is not None and size > MAX_IMAGE_BYTES:
        return []
    try:
        file = await message.get_bot().get_file(file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as failed:
        logger.info("could not download a barcode photo: %s", failed)
        return []
    codes = await scan(data)
    logger.info("barcode photo read: %s code(s)", len(codes))
    return codes


def none_found() -> str:
    """What a photo without a readable code gets; the step it came to goes on."""
    return _("No barcode found. Try closer, in better light, with the barcode flat.")


def looks_like_code(term: str) -> bool:
    """Whether a typed term is a barcode number (EAN-8 up to ITF-14: 8 to 14 digits)."""
    return term.isascii() and term.isdigit() and 8 <= len(term) <= 14


def candidates(codes: Iterable[str]) -> list[str]:
    """The codes to look products up by: each as read, then its other spelling.

    A UPC-A is the EAN-13 with a leading 0; shops store either, so ``036000291452`` is also
    tried as ``0036000291452`` and the other way round.
    """
    found: list[str] = []
    for code in codes:
        found.append(code)
        if code.isdigit() and len(code) == 12:
            found.append("0" + code)
        elif code.isdigit() and len(code) == 13 and code.startswith("0"):
            found.append(code[1:])
    return list(dict.fromkeys(found))


def is_ean13(code: str) -> bool:
    """Whether ``code`` is 13 digits with a correct check digit."""
    if len(code) != 13 or not code.isascii() or not code.isdigit():
        return False
    digits = [int(c) for c in code]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == digits[12]


def render_barcode(code: str) -> bytes:
    """A PNG of ``code`` for printing a label: EAN-13 if it is one, else Code 128.

    A code Code 128 cannot carry (characters beyond Latin-1) becomes a QR code. The picture
    has its number printed under the bars and white margins, and is never thinner than
    Telegram accepts for a photo.

    Raises:
        ValueError: ``code`` is empty.
    """
    if not code:
        raise ValueError("no code to render")
    barcode = _create(code)
    bars = Image.fromarray(barcode.to_image(scale=LABEL_SCALE, add_hrt=True))
    width = bars.width + 2 * LABEL_MARGIN
    height = max(bars.height + 2 * LABEL_MARGIN, width // LABEL_MIN_HEIGHT_RATIO)
    canvas = Image.new("L", (width, height), 255)
    canvas.paste(bars, ((width - bars.width) // 2, (height - bars.height) // 2))
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return out.getvalue()


def _create(code: str) -> zxingcpp.Barcode:
    if is_ean13(code):
        return zxingcpp.create_barcode(code, Format.EAN13)
    try:
        return zxingcpp.create_barcode(code, Format.Code128)
    except ValueError:  # "Invalid character in input (ISO/IEC 8859-1 only)"
        return zxingcpp.create_barcode(code, Format.QRCode)


def _open(image_bytes: bytes) -> Image.Image | None:
    try:
        with Image.open(io.BytesIO(image_bytes)) as opened:
            image = ImageOps.exif_transpose(opened).convert("L")  # as the phone showed it
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        return None
    longest = max(image.size)
    if longest > MAX_SIDE:
        image = _resized(image, MAX_SIDE / longest)
    elif 0 < longest < MIN_SIDE:
        image = _resized(image, MIN_SIDE / longest)
    return image


def _variants(image: Image.Image) -> Iterator[Image.Image]:
    """The photo as it is, sharpened (a slightly blurred shot), then turned a little."""
    yield image
    sharp = image.filter(SHARPEN)
    yield sharp
    for angle in RETRY_ANGLES:
        yield sharp.rotate(angle, expand=True, fillcolor=255)


def _resized(image: Image.Image, factor: float) -> Image.Image:
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _read(image: Image.Image) -> list[str]:
    """Each symbol's text once; a second reading of the same place is a misread, dropped.

    A tilted 1D code is crossed by scan lines at an angle, and now and then a few of them
    add up to another valid EAN-8: it comes second, over the same bars as the real one.
    """
    found: Sequence[zxingcpp.Barcode] = zxingcpp.read_barcodes(image, formats=READ_FORMATS)
    kept: list[tuple[str, Box]] = []
    for barcode in found:
        box = _box(barcode.position)
        if barcode.text and not any(_centre_in(box, other) for _, other in kept):
            kept.append((barcode.text, box))
    return list(dict.fromkeys(text for text, _ in kept))


Box = tuple[int, int, int, int]  # left, top, right, bottom


def _box(position: zxingcpp.Position) -> Box:
    corners = (
        position.top_left,
        position.top_right,
        position.bottom_right,
        position.bottom_left,
    )
    xs, ys = [p.x for p in corners], [p.y for p in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _centre_in(box: Box, other: Box) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return other[0] <= x <= other[2] and other[1] <= y <= other[3]
