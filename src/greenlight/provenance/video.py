"""Watermark every frame of a clip, and read the mark back by voting over several frames.

Decoding and encoding go through ``greenlight.media`` (H.264 out, the source's audio copied through).
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from greenlight.errors import ProvenanceError
from greenlight.media import decode_frames, probe_video, read_frames, write_video
from greenlight.provenance import watermark
from greenlight.provenance.watermark import WatermarkRead

PathLike = str | os.PathLike[str]

# A clip under 720 lines carries chips of a few pixels, which the re-encode every crop, turn or border of a
# clip goes through can flatten where the picture moves: its mark must still read after a 2-degree turn
# either way re-encoded at x264's default quality (the hardest of those edits), and is made stronger where
# the texture hides it until it does.
CHECKED_BELOW = 720  # lines
CHECKED_STRENGTHS = (1.0, 1.5, 2.0)
CHECK_CRF = 23  # x264's (and so ffmpeg's) default quality
CHECK_TURNS = (2.0, -2.0)  # degrees
CHECK_WINDOW = 96  # frames of the clip's middle re-encoded for the check: bounded, whatever the clip's length


def embed_video(src: PathLike, dst: PathLike, payload: int, crf: int = 18) -> int:
    """Write ``dst`` (H.264 MP4/MOV): every frame of ``src`` watermarked with ``payload``, audio copied.

    Args:
        src: any video PyAV can decode (even frame sizes).
        dst: the marked clip; appears only when complete.
        payload: the 48-bit value (see ``watermark.asset_payload``).
        crf: x264 quality of the marked clip (18 is visually lossless).

    Returns:
        The number of frames written.

    Raises:
        MediaError: ``src`` cannot be decoded, or ``dst`` cannot be written.
        ProvenanceError: the payload does not fit in 48 bits, or the frames are too small.
    """
    src, dst = Path(src), Path(dst)
    info = probe_video(src)
    grid = watermark.grid_for_video(info.height, info.width)
    with tempfile.TemporaryDirectory(prefix=".greenlight-mark-", dir=dst.parent) as work:
        trial = Path(work) / dst.name
        # As for a still: what was written should read back, with a stronger mark if the first is too faint
        # (a flat clip may hold none even so: it keeps the strongest); a clip under 720 lines after edits too.
        checked = min(info.height, info.width) < CHECKED_BELOW
        for strength in CHECKED_STRENGTHS if checked else watermark.READ_STRENGTHS:
            count = _write_marked(src, trial, info, payload, grid, strength, crf)
            if extract_video(trial).payload == payload and (not checked or _survives_edits(trial, payload, info)):
                break
        os.replace(trial, dst)
    return count


def _survives_edits(marked: Path, payload: int, info) -> bool:
    """Whether the middle of a marked clip, turned 2 degrees either way and re-encoded at CRF 23, still reads back.

    At plain strength a 384x216 pan read back after no such edit for any payload tried, a 320x240 one after
    no turn, and an 854x480 one after 7 of 12 turns.
    """
    return all(_survives_turn(marked, payload, info, degrees) for degrees in CHECK_TURNS)


def _survives_turn(marked: Path, payload: int, info, degrees: float) -> bool:
    start = max(0, info.frame_count // 2 - CHECK_WINDOW // 2)
    window = itertools.islice(decode_frames(marked), start, start + CHECK_WINDOW)
    edited = marked.with_name("edited-" + marked.name)  # never the marked file's own name
    try:
        write_video(edited, (_turned(frame.rgb(), degrees) for frame in window), info.fps, crf=CHECK_CRF)
        return extract_video(edited).payload == payload
    finally:
        edited.unlink(missing_ok=True)


def _write_marked(src: Path, dst: Path, info, payload: int, grid: int, strength: float, crf: int) -> int:
    count = 0

    def marked() -> Iterator[np.ndarray]:
        nonlocal count
        for _, rgb in read_frames(src):
            count += 1
            yield watermark.embed(rgb, payload, grid, strength)

    # Small frames carry the mark in chips of a few pixels, which x264's default tuning flattens in
    # predicted frames (1 payload in 20 of a 384² half-second take came back unread); its grain tuning
    # keeps them, for about a third more bytes.
    tune = "grain" if grid == watermark.COARSE_GRID else None
    write_video(dst, marked(), info.fps, audio_from=src if info.has_audio else None, crf=crf, tune=tune)
    return count


def extract_video(path: PathLike, expected: int | None = None, frames: int = 12) -> WatermarkRead:
    """Read the payload of a clip: ``frames`` frames spread over it vote by averaging their whitened planes.

    The mark sits still on the frame while the picture moves, so the average keeps the mark and blurs the
    picture; the average is then registered and decoded once (crops, borders and flips as for a still).

    Raises:
        MediaError: the file cannot be decoded.
        ProvenanceError: it has no frames to read.
    """
    from greenlight.provenance.watermark_sync import trim_borders

    samples = list(_sample_frames(Path(path), frames))
    if not samples:
        raise ProvenanceError(f"{path} has no video frames to read a watermark from")
    read = _vote(samples, expected)
    if read.found:
        return read
    # A clip played in a window or letterboxed again (a screen recording): the margins every sample has are
    # cut off, and what is inside is read again.
    windows = [trim_borders(rgb)[1] for rgb in samples]
    if all(windows):
        top, left = max(w[0] for w in windows), max(w[1] for w in windows)
        bottom, right = min(w[0] + w[2] for w in windows), min(w[1] + w[3] for w in windows)
        if min(bottom - top, right - left) >= 64:
            trimmed = _vote([np.ascontiguousarray(rgb[top:bottom, left:right]) for rgb in samples], expected)
            if trimmed.found:
                return trimmed
    return read


def _vote(samples: list[np.ndarray], expected: int | None) -> WatermarkRead:
    from greenlight.provenance.watermark_sync import read_plane, whitened

    height, width = samples[0].shape[:2]
    # The grid the clip was marked with first (see watermark.grid_for_video), then the other.
    grids = sorted(watermark.GRIDS, key=lambda grid: grid != watermark.grid_for_video(height, width))
    reads = []
    for grid in grids:
        plane = np.mean([whitened(rgb, grid) for rgb in samples], axis=0).astype(np.float32)
        reads.append(read_plane(plane, expected, width / height))
        if reads[-1].found:
            return reads[-1]
    return max(reads, key=lambda read: read.confidence)


def sample_frames(path: PathLike, wanted: int = 12) -> list[np.ndarray]:
    """``wanted`` frames spread over a clip (what ``extract_video`` reads)."""
    return list(_sample_frames(Path(path), wanted))


def _sample_frames(path: Path, wanted: int) -> Iterator[np.ndarray]:
    # Spread the samples so a black opening or one damaged frame cannot decide alone.
    step = max(1, probe_video(path).frame_count // wanted)
    taken = 0
    for index, rgb in read_frames(path):
        if index % step == 0:
            yield rgb
            taken += 1
            if taken == wanted:
                return


def _turned(rgb: np.ndarray, degrees: float) -> np.ndarray:
    """``rgb`` turned about its centre on the same canvas, black corners (an editor's straighten tool)."""
    h, w = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(rgb, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
