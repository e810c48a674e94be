"""Images re-encoded by Pillow: scaled to a longest edge, turned upright, and written
anew without their metadata (EXIF with its GPS position, XMP, comments, ICC profiles).
Only the pixels of the first frame are kept; an animation becomes a still PNG."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import UnreadableMedia

# The type an image is written back in, by the type it came in: GIF becomes PNG.
_OUTPUT = {
    "image/jpeg": ("JPEG", "image/jpeg"),
    "image/png": ("PNG", "image/png"),
    "image/gif": ("PNG", "image/png"),
    "image/webp": ("WEBP", "image/webp"),
}
_PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}


@dataclass(frozen=True)
class Reencoded:
    data: bytes
    content_type: str
    width: int
    height: int


def reencode(data: bytes, *, content_type: str, max_edge: int, max_pixels: int) -> Reencoded:
    """The image in `data` (of the detected `content_type`), clean and at most
    `max_edge` on its longest side; `UnreadableMedia` if it cannot be decoded or declares
    more than `max_pixels` pixels (checked from its header, before decoding)."""
    try:
        with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[content_type]]) as image:
            if image.width * image.height > max_pixels:
                raise UnreadableMedia(
                    f"The image is {image.width} by {image.height} pixels; "
                    f"at most {max_pixels} pixels are decoded."
                )
            image.seek(0)
            upright = ImageOps.exif_transpose(image)
            return _written(upright, content_type=content_type, max_edge=max_edge)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise UnreadableMedia("The image cannot be decoded.") from exc


def _written(image: Image.Image, *, content_type: str, max_edge: int) -> Reencoded:
    pillow_format, output_type = _OUTPUT[content_type]
    image.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    if pillow_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode == "P":
        image = image.convert("RGBA")
    # Only the pixels go on: nothing of `info` (EXIF, XMP, ICC, text chunks) is written.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    options: dict[str, object] = {"optimize": True}
    if pillow_format in ("JPEG", "WEBP"):
        options["quality"] = 85
    clean.save(out, format=pillow_format, **options)
    return Reencoded(out.getvalue(), output_type, clean.width, clean.height)
