"""Reading and writing still images as RGB arrays, refusing bad files before decoding them."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps

from greenlight.errors import MediaError
from greenlight.media.files import atomic_output
from greenlight.media.sniff import media_kind

MAX_PIXELS = 100_000_000
"""Largest image, in pixels, that ``load_image`` decodes (100 megapixels, about 300 MB as RGB)."""

_SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".tif": "TIFF", ".tiff": "TIFF"}


def load_image(path: str | Path, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Read an image file as an upright RGB array.

    The size the header claims is checked before any pixel is decoded, so a forged header cannot make
    Greenlight allocate gigabytes. The whole file is then decoded (a truncated file is an error, not a
    grey bottom half) and the EXIF orientation applied.

    Args:
        path: a JPEG, PNG, WebP, TIFF or GIF file (the first frame of an animation).
        max_pixels: refuse images whose header claims more pixels than this.

    Returns:
        An ``(height, width, 3)`` ``uint8`` array in RGB order.

    Raises:
        MediaError: the file is missing, empty, not an image, too large, truncated or damaged.
    """
    path = Path(path)
    if media_kind(path) != "image":
        raise MediaError(path, "is a video, not an image", "give a still image, or scan it as a video")
    with warnings.catch_warnings():
        # Our own limit replaces Pillow's decompression-bomb warning.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except Image.DecompressionBombError as e:
            # Pillow's own guard fires first for headers claiming over ~179 megapixels.
            raise MediaError(path, f"its header claims an image beyond the {max_pixels // 1_000_000}-megapixel "
                                   f"limit ({_reason(e)})", "downscale it first") from None
        except (OSError, SyntaxError, ValueError) as e:
            raise MediaError(path, f"not a readable image ({_reason(e)})") from None
        with image:
            width, height = image.size
            if width * height > max_pixels:
                raise MediaError(path, f"its header claims {width}×{height} pixels "
                                       f"({width * height / 1e6:.0f} megapixels), more than the "
                                       f"{max_pixels // 1_000_000}-megapixel limit", "downscale it first")
            # A module-wide Pillow switch; a truncated file must fail here, never decode half-grey.
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            try:
                image.load()
                upright = ImageOps.exif_transpose(image)
            except (OSError, SyntaxError, ValueError, EOFError) as e:
                raise MediaError(path, f"truncated or damaged image ({_reason(e)})",
                                 "export or copy the file again") from None
            return _to_rgb(upright)


def save_image(path: str | Path, rgb: np.ndarray, quality: int = 95) -> Path:
    """Write an RGB array to an image file atomically (a temporary file beside it, then a rename).

    Args:
        path: where to write; the format follows the suffix (.png, .jpg/.jpeg, .webp, .tif/.tiff).
        rgb: an ``(height, width, 3)`` ``uint8`` array.
        quality: JPEG/WebP quality, 1..100 (ignored for lossless formats).

    Returns:
        ``path``, as a ``Path``.

    Raises:
        MediaError: unknown suffix, an array that is not HxWx3 uint8, or the file cannot be written (the
            previous file at ``path``, if any, is then left as it was).
    """
    path = Path(path)
    fmt = _SAVE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise MediaError(path, f"cannot write images with suffix {path.suffix or '(none)'!r}",
                         "use .png, .jpg, .webp or .tif")
    if not (isinstance(rgb, np.ndarray) and rgb.ndim == 3 and rgb.shape[2] == 3 and rgb.dtype == np.uint8):
        shape = getattr(rgb, "shape", None)
        raise MediaError(path, f"cannot write an array of shape {shape} and type {getattr(rgb, 'dtype', None)}",
                         "pass an (height, width, 3) uint8 RGB array")
    options = {"quality": quality} if fmt in ("JPEG", "WEBP") else {}
    try:
        with atomic_output(path) as tmp:
            Image.fromarray(np.ascontiguousarray(rgb)).save(tmp, format=fmt, **options)
    except OSError as e:
        raise MediaError(path, f"cannot be written ({_reason(e)})", "check the disk space and permissions") from None
    return path


def _to_rgb(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: keep the top 8 bits rather than letting convert() clip at 255.
        grey = (np.asarray(image, dtype=np.uint32) >> 8).clip(0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.array(image, dtype=np.uint8)


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
