"""What a media file really is, from its first bytes rather than its name."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Literal

from greenlight.errors import MediaError

MediaKind = Literal["image", "video"]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".gif", ".bmp", ".heic", ".avif",
                            ".exr"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi"})

# ISO-BMFF brands that mean a still image (HEIF/AVIF), not a movie, behind the same "ftyp" box.
_STILL_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"})
# Old QuickTime files may start straight with one of these atoms instead of "ftyp".
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
_HEAD = 512


def media_kind(path: str | Path) -> MediaKind:
    """Say whether a file is an image or a video, by its magic bytes.

    Args:
        path: the file to look at.

    Returns:
        ``"image"`` (JPEG, PNG, WebP, TIFF, GIF, OpenEXR) or ``"video"`` (MP4/MOV, Matroska/WebM, AVI).

    Raises:
        MediaError: the file is missing, empty, text, an unsupported still format (HEIF/AVIF) or of
            a type not recognised.
    """
    path = Path(path)
    head = _read_head(path)
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"v/1\x01") or head[:6] in (b"GIF87a", b"GIF89a"):
        return "image"
    if head[4:8] == b"ftyp":
        if head[8:12] in _STILL_BRANDS:
            raise MediaError(path, "an HEIF/AVIF still image, which Greenlight does not read",
                             "convert it to PNG or JPEG")
        return "video"
    if head[4:8] in _QUICKTIME_ATOMS:
        return "video"
    if head.startswith(b"\x1a\x45\xdf\xa3") or (head[:4] == b"RIFF" and head[8:12] == b"AVI "):
        return "video"
    if _looks_like_text(head):
        raise MediaError(path, f"{_not_what(path)}: it is text", "check that the right file was given")
    raise MediaError(path, f"{_not_what(path)}: unknown file type (starts with {head[:8].hex(' ')})",
                     "give a JPEG, PNG, WebP or TIFF image or an MP4/MOV video")


def _read_head(path: Path) -> bytes:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in the name: the ledger and the manifest could not hold it
        shown = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
        raise MediaError(shown, "its name is not valid UTF-8", "rename the file") from None
    try:
        if not stat.S_ISREG(path.stat().st_mode) and not path.is_dir():
            # Opening a pipe waits for a writer: `scan` on a FIFO named .png hung until killed.
            raise MediaError(path, "is not a regular file (a pipe, socket or device)", "give a media file")
        with path.open("rb") as f:
            head = f.read(_HEAD)
    except FileNotFoundError:
        raise MediaError(path, "no such file") from None
    except IsADirectoryError:
        raise MediaError(path, "is a folder, not a media file") from None
    except OSError as e:
        raise MediaError(path, f"cannot be read ({e.strerror or e})") from None
    if not head:
        raise MediaError(path, "empty file (0 bytes)", "the file was not written completely; export it again")
    return head


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the head is still text.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return all(c.isprintable() or c in "\t\r\n\f\v" for c in text)


def _not_what(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "not an image"
    if suffix in VIDEO_SUFFIXES:
        return "not a video"
    return "not an image or a video"
