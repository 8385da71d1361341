"""A logo upload made safe: the image is decoded by Pillow (its type read from the content,
never from the name or the browser's word), limited in bytes and pixels, shrunk to at most
LOGO_SIDE pixels a side and re-encoded as PNG, so what is stored and served is an image this
app wrote, whatever was uploaded."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from scheduler.words import N_, Refusal

LOGO_BYTES = 2 * 1024 * 1024  # an upload larger than this is refused unread
LOGO_PIXELS = 25_000_000  # width x height before decoding: no decompression bombs
LOGO_SIDE = 400  # the stored image's longest side
LOGO_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
LOGO_CONTENT_TYPE = "image/png"


class BadLogo(Refusal):
    """An upload that is not an image this app takes."""


def clean_logo(data: bytes) -> tuple[bytes, int, int]:
    """The upload as a PNG of at most LOGO_SIDE a side, with its width and height."""
    if len(data) > LOGO_BYTES:
        raise BadLogo(N_("the logo is larger than {most} MB; upload a smaller image"), most=2)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=LOGO_FORMATS)
            if image.width * image.height > LOGO_PIXELS:
                raise BadLogo(
                    N_("the logo has more than {most} million pixels; upload a smaller image"),
                    most=LOGO_PIXELS // 1_000_000,
                )
            image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        if isinstance(error, BadLogo):
            raise
        raise BadLogo(N_("the logo is not a PNG, JPEG, GIF or WebP image")) from None
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGBA")
    image.thumbnail((LOGO_SIDE, LOGO_SIDE))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue(), image.width, image.height
