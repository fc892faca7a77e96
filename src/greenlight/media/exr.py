"""OpenEXR frames for compositing: linear half-float RGB plus named matte channels, one file per frame.

The beauty is stored scene-linear (the sRGB transfer function undone, Rec.709/sRGB primaries written in
the ``chromaticities`` attribute), each matte as one channel named the way Nuke reads layers
(``pieces.A`` is the ``alpha`` of layer ``pieces``). Every 8-bit sRGB level survives the round trip
sRGB → linear half → sRGB exactly, so an EXR frame holds the same picture as its PNG, watermark included.

``OpenEXR`` (the ``vfx`` extra) is imported only when an EXR is touched.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from greenlight.errors import MediaError
from greenlight.media.files import atomic_output

MAGIC = b"v/1\x01"
BEAUTY = ("R", "G", "B")
# Rec.709 / sRGB primaries and D65 white: red x y, green x y, blue x y, white x y.
SRGB_PRIMARIES = (0.64, 0.33, 0.30, 0.60, 0.15, 0.06, 0.3127, 0.3290)


@dataclass(frozen=True)
class ExrFrame:
    """One EXR frame as read: the beauty as 8-bit sRGB (what a viewer shows) and every channel as stored."""

    rgb: np.ndarray
    channels: dict[str, np.ndarray]
    header: dict


def is_exr(head: bytes) -> bool:
    """Whether a file's first bytes are an OpenEXR file's."""
    return head[:4] == MAGIC


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """8-bit sRGB levels as scene-linear float32 (the IEC 61966-2-1 transfer function undone)."""
    v = rgb.astype(np.float32) / 255
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4).astype(np.float32)


def linear_to_srgb(linear: np.ndarray) -> np.ndarray:
    """Scene-linear values as 8-bit sRGB levels, rounded; values outside 0..1 are clipped (no tone mapping)."""
    v = np.clip(np.nan_to_num(np.asarray(linear, np.float32), nan=0.0), 0.0, 1.0)
    v = np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055)
    return np.round(np.clip(v, 0, 1) * 255).astype(np.uint8)


def write_exr(path: str | Path, rgb: np.ndarray, mattes: Mapping[str, np.ndarray] | None = None) -> Path:
    """Write one frame atomically: ``rgb`` (8-bit sRGB) as linear half R, G, B, each matte as ``<name>.A``.

    Args:
        path: the ``.exr`` to write (ZIP-compressed scanlines: lossless, and the same bytes every time).
        rgb: ``(height, width, 3)`` ``uint8`` sRGB.
        mattes: pass name → ``(height, width)`` ``uint8`` coverage, 255 = fully covered.

    Raises:
        MediaError: an array of the wrong shape or type, or the file cannot be written (nothing is left
            at ``path`` then).
    """
    path = Path(path)
    _check(path, rgb, 3)
    linear = srgb_to_linear(rgb)
    channels = {name: linear[..., i].astype(np.float16) for i, name in enumerate(BEAUTY)}
    for name, matte in (mattes or {}).items():
        _check(path, matte, 0, rgb.shape[:2])
        channels[f"{name}.A"] = (matte.astype(np.float32) / 255).astype(np.float16)
    return write_channels(path, channels)


def write_channels(path: str | Path, channels: Mapping[str, np.ndarray], header: Mapping | None = None) -> Path:
    """Write the channels (2-D half or float arrays, by EXR channel name) as a single-part EXR, atomically.

    Raises:
        MediaError: the file cannot be written.
    """
    path = Path(path)
    OpenEXR = _openexr(path)
    wanted = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage,
              "chromaticities": SRGB_PRIMARIES}
    wanted.update({k: v for k, v in (header or {}).items() if k in _KEPT})
    try:
        with atomic_output(path) as tmp, OpenEXR.File(wanted, {k: np.ascontiguousarray(v)
                                                               for k, v in channels.items()}) as exr:
            exr.write(str(tmp))
    except (OSError, RuntimeError) as e:
        raise MediaError(path, f"cannot be written ({e})", "check the disk space and permissions") from None
    return path


# Attributes carried over when a frame is rewritten (the watermark): the picture's own description.
_KEPT = ("chromaticities", "pixelAspectRatio", "framesPerSecond", "timeCode", "owner", "comments")


def read_exr(path: str | Path, max_pixels: int) -> ExrFrame:
    """Read a single-part EXR: every channel as stored and the beauty as 8-bit sRGB.

    Raises:
        MediaError: not a readable EXR, a tiled/deep/multi-part file, no R, G, B channels, or more than
            ``max_pixels`` pixels.
    """
    path = Path(path)
    OpenEXR = _openexr(path)
    said: list[str] = []
    try:
        with _library_messages() as said:
            with OpenEXR.File(str(path), header_only=True) as exr:
                # The header and pixels belong to the File: copied out before it closes.
                header = dict(exr.header())
                _check_header(path, header, len(exr.parts), max_pixels)
            with OpenEXR.File(str(path), separate_channels=True) as exr:
                # A file whose pixels fail to decode opens with no parts (the library only prints why).
                channels = {name: np.array(channel.pixels) for name, channel in exr.channels().items()}
    except (RuntimeError, ValueError) as e:
        # Only OpenEXR's own lines: a progress bar drawn meanwhile may have landed in the same capture.
        words = [w for w in said if str(path) in w or "EXR" in w or "Exception" in w] or str(e).splitlines() or [
            type(e).__name__]
        reason = words[0].replace(f"'{path}'", "the file").replace(f"{path}: ", "").replace(str(path), path.name)
        raise MediaError(path, f"truncated or damaged EXR ({reason.strip()})",
                         "export or copy the file again") from None
    missing = [c for c in BEAUTY if c not in channels]
    if missing:
        raise MediaError(path, f"an EXR without {', '.join(missing)} channels; Greenlight reads RGB pictures",
                         "write the beauty as R, G, B")
    beauty = np.stack([channels[c].astype(np.float32) for c in BEAUTY], axis=2)
    return ExrFrame(linear_to_srgb(beauty), channels, header)


def _openexr(path: Path):
    try:
        import OpenEXR
    except ImportError:
        raise MediaError(path, "an EXR, and the OpenEXR package is not installed",
                         "pip install 'greenlight[vfx]'") from None
    return OpenEXR


@contextlib.contextmanager
def _library_messages() -> Iterator[list[str]]:
    """Keep what OpenEXR prints on a damaged file (C messages on stderr, warnings on ``sys.stdout``) off the
    terminal; the lines are handed back, to become the error's reason."""
    lines: list[str] = []
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught, contextlib.redirect_stdout(io.StringIO()) as printed:
        os.dup2(caught.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            lines += caught.read().decode("utf-8", "replace").splitlines() + printed.getvalue().splitlines()


def _check_header(path: Path, header: dict, parts: int, max_pixels: int) -> None:
    import OpenEXR

    if parts != 1 or header.get("type") != OpenEXR.scanlineimage:
        raise MediaError(path, "a multi-part, tiled or deep EXR, which Greenlight does not read",
                         "write one scanline part")
    (x0, y0), (x1, y1) = header["dataWindow"]
    width, height = int(x1 - x0 + 1), int(y1 - y0 + 1)
    if width * height > max_pixels:
        raise MediaError(path, f"its header claims {width}×{height} pixels, more than the "
                               f"{max_pixels // 1_000_000}-megapixel limit", "downscale it first")


def _check(path: Path, array: np.ndarray, depth: int, shape: tuple[int, ...] | None = None) -> None:
    ok = isinstance(array, np.ndarray) and array.dtype == np.uint8 and (
        (array.ndim == 3 and array.shape[2] == depth) if depth else array.ndim == 2)
    if not ok or (shape is not None and array.shape[:2] != shape):
        raise MediaError(path, f"cannot write an array of shape {getattr(array, 'shape', None)} and type "
                               f"{getattr(array, 'dtype', None)} as an EXR frame",
                         "pass uint8 RGB and uint8 mattes of the same size")
