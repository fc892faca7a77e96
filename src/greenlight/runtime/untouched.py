"""Did an engine that alters one person leave everyone else as they were? Compare their face boxes.

Only a sample of frames per face track is compared (the first, the last and a few between): an engine
that touches a face touches it throughout, and re-encoding noise stays far below the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from greenlight.domain import Box, ScanResult

# Mean absolute difference (0..255) inside a face box above which the face counts as altered. H.264 at
# CRF 18 differs by about 1–2 on untouched pixels; any retouch of a face moves it well past 6.
ALTERED_ABOVE = 6.0
SAMPLES = 6


def altered_faces(
    inputs: Sequence[Path], outputs: Sequence[Path], scans: Sequence[ScanResult], targets: tuple[str, ...]
) -> tuple[str, ...]:
    """Descriptions of the non-target faces that changed between each input and its output."""
    changed: list[str] = []
    for source, output, scan in zip(inputs, outputs, scans, strict=False):
        if scan.media == "image":
            changed += _image(source, output, scan, targets)
        else:
            changed += _video(source, output, scan, targets)
    return tuple(changed)


def _image(source: Path, output: Path, scan: ScanResult, targets: tuple[str, ...]) -> list[str]:
    from greenlight.media import load_image

    before, after = load_image(source), load_image(output)
    return [
        f"face at {_edges(f.box)}"
        for f in scan.faces
        if f.identity.subject_id not in targets and _difference(before, after, f.box) > ALTERED_ABOVE
    ]


def _video(source: Path, output: Path, scan: ScanResult, targets: tuple[str, ...]) -> list[str]:
    from greenlight.media import read_frames

    wanted: dict[int, list[tuple[int, Box]]] = {}
    for track in scan.tracks:
        if track.identity.subject_id in targets or not track.boxes:
            continue
        picks = np.linspace(0, len(track.boxes) - 1, min(SAMPLES, len(track.boxes))).astype(int)
        for frame, box in (track.boxes[i] for i in sorted(set(picks))):
            wanted.setdefault(frame, []).append((track.track_id, box))
    worst: dict[int, float] = {}
    last = max(wanted, default=-1)
    for (index, before), (_, after) in zip(_frames(source), read_frames(output), strict=False):
        for track_id, box in wanted.get(index, ()):
            worst[track_id] = max(worst.get(track_id, 0.0), _difference(before, after, box))
        if index >= last:
            break
    return [f"track {t} ({d:.1f} grey levels)" for t, d in sorted(worst.items()) if d > ALTERED_ABOVE]


def _frames(source: Path):
    """The source's frames; a still source (a plate an engine made a clip on) stands under every output frame."""
    from itertools import count

    from greenlight.media import load_image, media_kind, read_frames

    if media_kind(source) == "image":
        still = load_image(source)
        return ((i, still) for i in count())
    return read_frames(source)


def _difference(before: np.ndarray, after: np.ndarray, box: Box) -> float:
    if before.shape != after.shape:
        return float("inf")
    top, bottom = max(box.top, 0), min(box.bottom, before.shape[0])
    left, right = max(box.left, 0), min(box.right, before.shape[1])
    if bottom <= top or right <= left:
        return 0.0
    a = before[top:bottom, left:right].astype(np.int16)
    b = after[top:bottom, left:right].astype(np.int16)
    return float(np.abs(a - b).mean())


def _edges(box: Box) -> list[int]:
    return [box.left, box.top, box.right, box.bottom]
