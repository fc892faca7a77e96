"""Files in, files out: watermark a still or a clip and then sign it; read the mark of any file."""

from __future__ import annotations

import dataclasses
import functools
import os
import tempfile
from pathlib import Path

from greenlight.errors import ProvenanceError
from greenlight.media import load_image, media_kind, save_image
from greenlight.provenance import watermark
from greenlight.provenance.keys import SigningIdentity
from greenlight.provenance.spec import Ingredient, ManifestSpec, Relationship, check_spec
from greenlight.provenance.watermark import WatermarkRead

PathLike = str | os.PathLike[str]
_VIDEO_OUT = {".mp4", ".m4v", ".mov"}


def mark_and_sign(src: PathLike, dst: PathLike, spec: ManifestSpec, identity: SigningIdentity, payload: int) -> None:
    """Watermark ``src`` with ``payload`` and write it to ``dst`` with signed Content Credentials.

    Signing comes last so the manifest's hash covers the watermarked pixels. If ``src`` carried
    Content Credentials they are kept as an ingredient (the watermarked copy no longer holds them).

    Args:
        src: a PNG/JPEG still or a video.
        dst: a PNG/JPEG for a still, an MP4 for a video (H.264, audio copied).
        spec: what the manifest says.
        identity: the signing identity.
        payload: the 48-bit watermark payload (see ``watermark.asset_payload``).

    Raises:
        MediaError: ``src`` cannot be decoded, or ``dst`` has a suffix media cannot write.
        ProvenanceError: ``src`` is missing, the spec is incomplete, or signing failed.
    """
    from greenlight.provenance.manifest import has_credentials, sign_file

    src, dst = Path(src), Path(dst)
    if not src.is_file():
        raise ProvenanceError(f"{src} does not exist", "give the path of the file to mark")
    if has_credentials(src) and all(i.path.resolve() != src.resolve() for i in spec.ingredients):
        parent = not any(i.relationship is Relationship.PARENT for i in spec.ingredients)
        extra = Ingredient(src, Relationship.PARENT if parent else Relationship.COMPONENT)
        spec = dataclasses.replace(spec, ingredients=(*spec.ingredients, extra))
    check_spec(spec)
    with tempfile.TemporaryDirectory(prefix=".greenlight-mark-", dir=dst.parent) as work:
        marked = Path(work) / f"marked{dst.suffix.lower()}"
        if _is_video(src):
            if dst.suffix.lower() not in _VIDEO_OUT:
                raise ProvenanceError(f"{dst}: a marked video is written as H.264 MP4 or MOV", "name it .mp4")
            from greenlight.provenance.video import embed_video

            embed_video(src, marked, payload)
        else:
            mark_image(src, marked, payload)
        sign_file(marked, dst, spec, identity)


def mark_image(src: PathLike, dst: PathLike, payload: int) -> None:
    """Write ``dst`` (PNG, JPEG at quality 95, or EXR): the still ``src`` carrying the watermark.

    An EXR is marked where a viewer sees it, in its 8-bit sRGB picture: the mark's change to those levels
    is added to the linear R, G, B, and every other channel (the mattes) is kept as it was.

    Raises:
        MediaError: ``src`` is not a readable image, or ``dst`` has an unsupported suffix.
        ProvenanceError: the image is too small, or the payload does not fit in 48 bits.
    """
    if Path(dst).suffix.lower() == ".exr":
        _mark_exr(Path(src), Path(dst), payload)
        return
    fmt = {".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}.get(Path(dst).suffix.lower())
    encode = None if fmt is None else functools.partial(_as_saved, fmt=fmt)
    save_image(dst, watermark.embed_read_back(load_image(src), payload, encode), quality=95)


def _as_saved(rgb, fmt: str):
    """``rgb`` after a round trip through ``fmt`` at quality 95, as ``save_image`` writes it."""
    import io

    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format=fmt, quality=95)
    return np.asarray(Image.open(buffer).convert("RGB"))


def _mark_exr(src: Path, dst: Path, payload: int) -> None:
    import numpy as np

    from greenlight.media import MAX_PIXELS
    from greenlight.media.exr import BEAUTY, read_exr, srgb_to_linear, write_channels

    frame = read_exr(src, MAX_PIXELS)
    marked = watermark.embed_read_back(frame.rgb, payload)
    before, after = srgb_to_linear(frame.rgb), srgb_to_linear(marked)
    channels = dict(frame.channels)
    for i, name in enumerate(BEAUTY):
        stored = frame.channels[name]
        # A pixel that is an 8-bit level (every rendered frame's) becomes the marked level exactly, as in the
        # PNG; deeper data (an outside EXR) keeps its own detail and gets the mark's change added.
        level = stored == before[..., i].astype(stored.dtype)
        shifted = stored.astype(np.float32) + after[..., i] - before[..., i]
        channels[name] = np.where(level, after[..., i], shifted).astype(stored.dtype)
    write_channels(dst, channels, frame.header)


def read_watermark(path: PathLike, expected: int | None = None) -> WatermarkRead:
    """Read the watermark of a still or a clip (several frames vote).

    Raises:
        ProvenanceError: the file is missing.
        MediaError: it is not a readable image or video.
    """
    path = Path(path)
    if not path.is_file():
        raise ProvenanceError(f"{path} does not exist", "give the path of the file to check")
    if _is_video(path):
        from greenlight.provenance.video import extract_video

        return extract_video(path, expected)
    return watermark.extract(load_image(path), expected)


def _is_video(path: Path) -> bool:
    return media_kind(path) == "video"
