"""Reading and writing still images as RGB arrays, refusing bad files before decoding them."""

from __future__ import annotations

import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps

from greenlight.errors import MediaError
from greenlight.media.files import atomic_output
from greenlight.media.sniff import media_kind

MAX_PIXELS = 100_000_000
"""Largest image, in pixels, that ``load_image`` decodes (100 megapixels, about 300 MB as RGB)."""
MAX_VIEW_PIXELS = 3 * MAX_PIXELS
"""Most pixels ``load_views`` returns over all frames and backdrops of one file: every still that
``load_image`` reads, in all three of its views (about 900 MB as RGB at the limit)."""
MAX_FRAMES = 10_000
"""Most frames or pages ``load_views`` reads from one file, however small they are."""
BACKDROPS = ("white", "black")
"""What a frame with transparency is composited over: a viewer's light and dark backgrounds."""
RAW = "raw"
"""The backdrop name of a transparent frame's colour channels as stored, alpha ignored (see ``iter_views``)."""
_RAW_TOLERANCE = 8  # colour levels: hidden pixels this close to white or black show nothing new

# What Pillow raises on a damaged file: a hostile TIFF or GIF reaches parsing code that fails in many ways.
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError, KeyError, struct.error)

_SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".tif": "TIFF", ".tiff": "TIFF"}


def load_image(path: str | Path, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Read an image file as an upright RGB array.

    The size the header claims is checked before any pixel is decoded, so a forged header cannot make
    Greenlight allocate gigabytes. The whole file is then decoded (a truncated file is an error, not a
    grey bottom half) and the EXIF orientation applied.

    Args:
        path: a JPEG, PNG, WebP, TIFF or GIF file (the first frame of an animation, its alpha dropped), or an
            OpenEXR frame (its linear R, G, B as 8-bit sRGB: see ``media.exr``).
        max_pixels: refuse images whose header claims more pixels than this.

    Returns:
        An ``(height, width, 3)`` ``uint8`` array in RGB order.

    Raises:
        MediaError: the file is missing, empty, not an image, too large, truncated or damaged.
    """
    path = Path(path)
    if _is_exr(path):
        from greenlight.media.exr import read_exr

        return read_exr(path, max_pixels).rgb
    with _open(path, max_pixels) as image:
        try:
            image.load()
            upright = ImageOps.exif_transpose(image)
        except _DAMAGED as e:
            raise MediaError(path, f"truncated or damaged image ({_reason(e, path)})",
                             "export or copy the file again") from None
        # Alpha is dropped, not composited: engines and the watermark edit the stored colours.
        # What a person sees of a transparent or animated file is ``load_views``.
        return _to_rgb(upright)


@dataclass(frozen=True)
class ImageView:
    """One picture of an image file as a person may see it.

    Attributes:
        rgb: ``(height, width, 3)`` ``uint8`` RGB, upright (EXIF orientation applied).
        page: 0-based frame of an animation or page of a multi-page TIFF.
        backdrop: ``None`` for an opaque frame; for a frame with transparency, what it was composited
            over: ``"white"``, ``"black"``, or ``"raw"`` (the colour channels as stored, alpha ignored).
    """

    rgb: np.ndarray
    page: int
    backdrop: str | None


def load_views(path: str | Path, max_pixels: int = MAX_PIXELS) -> list[ImageView]:
    """Every picture a person could see in an image file: every frame and page, in every backdrop.

    Each frame of an animated GIF, APNG or WebP is composited as a viewer shows it (disposal and
    partial frames handled by Pillow's ``seek``), and every page of a multi-page TIFF is read. A frame
    with any transparency is given twice, over white and over black, so that a face drawn only in the
    alpha channel (black colour, visible over white) is seen; a third time as stored, alpha ignored,
    when its hidden pixels hold more than plain white or black (a picture under a transparent layer,
    shown by any program that drops alpha). An opaque frame is given once, ``backdrop=None``; for a
    still opaque file that one view is exactly ``load_image``'s array.

    Args:
        path: a JPEG, PNG/APNG, WebP, TIFF or GIF file.
        max_pixels: refuse a frame whose size is more pixels than this.

    Returns:
        The views in file order (all backdrops of a frame together).

    Raises:
        MediaError: as ``load_image``; or the file holds more than ``MAX_FRAMES`` frames or more than
            ``MAX_VIEW_PIXELS`` pixels over all its views.
    """
    return list(iter_views(path, max_pixels))


def iter_views(path: str | Path, max_pixels: int = MAX_PIXELS) -> Iterator[ImageView]:
    """The views of ``load_views``, one frame at a time (the limits are checked as they are made).

    Raises:
        MediaError: as ``load_views``; views before a damaged frame have already been yielded.
    """
    path = Path(path)
    if _is_exr(path):  # one opaque picture: its beauty as a viewer shows it
        yield ImageView(load_image(path, max_pixels), 0, None)
        return
    budget = MAX_VIEW_PIXELS
    with _open(path, max_pixels) as image:
        frames = _frame_count(path, image)
        width, height = image.size
        if frames * width * height > budget:
            raise _too_many(path, frames, width, height)
        for page in range(frames):
            for view in _frame_views(path, image, page, max_pixels):
                budget -= view.rgb.shape[0] * view.rgb.shape[1]
                if budget < 0:
                    raise _too_many(path, frames, width, height)
                yield view


def image_frames(path: str | Path) -> int:
    """How many frames (animation) or pages (TIFF) an image file holds; 1 for a still.

    Raises:
        MediaError: the file is not a readable image, or claims more than ``MAX_FRAMES`` frames.
    """
    path = Path(path)
    if _is_exr(path):
        load_image(path)  # a single-part scanline EXR, or an error naming what it is
        return 1
    with _open(path, MAX_PIXELS) as image:
        return _frame_count(path, image)


def _is_exr(path: Path) -> bool:
    """An OpenEXR file (read by ``media.exr``, not Pillow), by its magic bytes."""
    if media_kind(path) != "image":
        return False
    with path.open("rb") as f:
        return f.read(4) == b"v/1\x01"


def _open(path: Path, max_pixels: int) -> Image.Image:
    """Open an image after checking what it is and the size its header claims; nothing decoded yet."""
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
                                   f"limit ({_reason(e, path)})", "downscale it first") from None
        except _DAMAGED as e:
            raise MediaError(path, f"not a readable image ({_reason(e, path)})") from None
    _check_size(path, image, max_pixels)
    # A module-wide Pillow switch; a truncated file must fail, never decode half-grey.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return image


def _check_size(path: Path, image: Image.Image, max_pixels: int, page: int | None = None) -> None:
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        where = "its header claims" if page is None else f"its page {page + 1} claims"
        raise MediaError(path, f"{where} {width}×{height} pixels ({width * height / 1e6:.0f} megapixels), "
                               f"more than the {max_pixels // 1_000_000}-megapixel limit", "downscale it first")


def _frame_count(path: Path, image: Image.Image) -> int:
    try:
        frames = int(getattr(image, "n_frames", 1) or 1)
    except _DAMAGED as e:
        raise MediaError(path, f"truncated or damaged image, its frames cannot be counted ({_reason(e, path)})",
                         "export or copy the file again") from None
    if frames > MAX_FRAMES:
        raise MediaError(path, f"holds {frames} frames, more than the {MAX_FRAMES} Greenlight reads from one image",
                         "convert it to a video")
    return frames


def _too_many(path: Path, frames: int, width: int, height: int) -> MediaError:
    return MediaError(path, f"{frames} frames of {width}×{height} pixels are more than the "
                            f"{MAX_VIEW_PIXELS // 1_000_000} megapixels Greenlight reads from one image",
                      "convert it to a video, or split it")


def _frame_views(path: Path, image: Image.Image, page: int, max_pixels: int) -> list[ImageView]:
    try:
        image.seek(page)
        _check_size(path, image, max_pixels, page)
        image.load()
        upright = ImageOps.exif_transpose(image)
    except _DAMAGED as e:
        where = f" at frame {page + 1}" if page else ""
        raise MediaError(path, f"truncated or damaged image{where} ({_reason(e, path)})",
                         "export or copy the file again") from None
    alpha = _alpha(upright)
    if alpha is None:
        return [ImageView(_to_rgb(upright), page, None)]
    return _composited(np.asarray(upright.convert("RGBA")), alpha, page)


def _alpha(image: Image.Image) -> np.ndarray | None:
    """The frame's alpha channel (``uint8``), or ``None`` when every pixel is opaque."""
    if image.mode not in ("RGBA", "LA", "PA", "RGBa", "La") and "transparency" not in image.info:
        return None
    alpha = np.asarray(image.convert("RGBA"))[:, :, 3]
    return None if alpha.min() == 255 else alpha


def _composited(rgba: np.ndarray, alpha: np.ndarray, page: int) -> list[ImageView]:
    # Integer arithmetic in uint16 (255 × 255 fits): half the memory of float32 on a 100-megapixel frame.
    colour = rgba[:, :, :3].astype(np.uint16)
    shown = alpha.astype(np.uint16)[:, :, None]
    hidden = 255 - shown
    over_black = colour * shown
    views = [ImageView(((over_black + 255 * hidden + 127) // 255).astype(np.uint8), page, "white"),
             ImageView(((over_black + 127) // 255).astype(np.uint8), page, "black")]
    del over_black
    # What transparency hides shows "raw" unless it is plain black or plain white (as editors save it).
    limit = _RAW_TOLERANCE * 255
    if (colour * hidden).max() > limit and ((255 - colour) * hidden).max() > limit:
        views.append(ImageView(np.ascontiguousarray(rgba[:, :, :3]), page, RAW))
    return views


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
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return np.repeat(_deep_grey(image)[:, :, None], 3, axis=2)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.array(image, dtype=np.uint8)


def _deep_grey(image: Image.Image) -> np.ndarray:
    # Greyscale deeper than 8 bits, as viewers show it rather than as convert() clips it: floats holding
    # 0..1 scaled to 0..255 (convert() made them black, and a face in them went unseen), 16-bit levels
    # by their top 8 bits, 32-bit integers that stay within 0..255 as they are.
    values = np.nan_to_num(np.asarray(image, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    top = values.max(initial=0.0)
    if image.mode == "F" and top <= 1.0:
        values = values * 255
    elif image.mode != "F" and (image.mode != "I" or top > 255):
        values = np.floor(values / 256)
    return np.rint(values.clip(0, 255)).astype(np.uint8)


def _reason(error: BaseException, path: Path | None = None) -> str:
    text = str(error).strip().splitlines()
    reason = text[0] if text else type(error).__name__
    # Pillow repeats the path it was given ("cannot identify image file '/x/y.gif'"); the message
    # already starts with it, so say it once.
    return reason.replace(f" {str(path)!r}", "").replace(str(path), path.name) if path is not None else reason
