"""The part of the video scan that depends on the frames alone: cuts, the every-frame pass, the sweeps.

For each frame: whether it starts a shot (``greenlight.likeness.shots``), the full-range BlazeFace
detections on the whole frame, and on the first frame of each shot and every ``SWEEP_INTERVAL`` frames
a sweep: the whole frame in quarter turns (``sweep_turns``) and tiles for small faces
(``sweep_tiles``). None of it depends on what was found on earlier frames, so it (a ``FramePass``) can
run ahead of the tracking in another process (``greenlight.likeness.framefeed``) and give exactly what
the scan would compute itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np

from greenlight.likeness import blazeface
from greenlight.likeness.blazeface import Detection
from greenlight.likeness.frames import Frame
from greenlight.likeness.shots import CutDetector
from greenlight.likeness.sweep import detect_in, levels, tiles

SWEEP_INTERVAL = 30
"""Frames between fine sweeps (small and rotated faces), besides the first frame of each shot: a second
at 30 fps."""
NEW_SCORE = 0.5
"""BlazeFace score a detection needs to start a track (MediaPipe's default)."""
FOLLOW_SCORE = 0.3
"""Lower score with which a detection continues a track: BlazeFace's score sags on a face turning to
profile or leaving the frame (the clip's profile: 0.66–0.83 whole, 0.33–0.66 when half cut off)."""


@dataclass(frozen=True)
class FramePass:
    """What the frame alone says: a cut, the whole-frame detections and, on sweep frames, the sweep's."""

    index: int
    cut: bool
    found: tuple[Detection, ...]
    swept: tuple[Detection, ...] | None = None
    picture: bytes = b""
    """The digest of the picture the pass was computed on (``picture_digest``; set by ``FramePasser``)."""


class Schedule:
    """Which frames start a shot and which are swept: the first of each shot and every ``interval``.

    Cheap (a 64×36 thumbnail a frame), so a scan keeps its own even when the passes run elsewhere.
    """

    def __init__(self, interval: int = SWEEP_INTERVAL) -> None:
        self.interval = interval
        self._cuts = CutDetector()
        self._last_sweep = -interval

    def next(self, index: int, gray: np.ndarray) -> tuple[bool, bool]:
        """``(cut, sweep)`` for the next frame, given its index and greyscale picture."""
        cut = self._cuts.is_cut(gray)
        if cut:
            self._last_sweep = -self.interval
        sweep = index - self._last_sweep >= self.interval
        if sweep:
            self._last_sweep = index
        return cut, sweep


class FramePasser:
    """Computes the ``FramePass`` of frames fed in order (one per video stream)."""

    def __init__(self, interval: int = SWEEP_INTERVAL) -> None:
        self.schedule = Schedule(interval)

    def run(self, frame: Frame) -> FramePass:
        """The pass of the next frame."""
        cut, sweep = self.schedule.next(frame.index, frame.gray())
        return replace(passes_on(frame, cut, sweep), picture=picture_digest(frame))


def picture_digest(frame: Frame) -> bytes:
    """The SHA-256 of a frame's greyscale picture: a pass computed elsewhere stands for this frame only if
    it was computed on this very picture (a file replaced between two decodings, or a stream that does not
    decode the same twice, gives other pictures under the same frame numbers)."""
    return hashlib.sha256(np.ascontiguousarray(frame.gray())).digest()


def passes_on(frame: Frame, cut: bool, sweep: bool) -> FramePass:
    """The whole-frame pass (and, when ``sweep``, the sweep: turns, then tiles) on one frame whose schedule is known."""
    rgb = frame.rgb()
    found = tuple(blazeface.detect(rgb, "full", FOLLOW_SCORE))
    return FramePass(frame.index, cut, found, tuple(sweep_turns(rgb) + sweep_tiles(rgb)) if sweep else None)


def sweep_turns(rgb: np.ndarray) -> list[Detection]:
    """The first part of a video frame's sweep: the whole frame turned 90°, 180° and 270° (upright is the
    every-frame pass itself), for faces on their side or upside down."""
    found = []
    for turn in _plan(rgb)[0].turns:
        if turn:
            found += detect_in(rgb, (0, 0, rgb.shape[1], rgb.shape[0]), turn, "full", NEW_SCORE)
    return found


def sweep_tiles(rgb: np.ndarray) -> list[Detection]:
    """The rest of a video frame's sweep: tiles through the back-camera model, for small faces.

    Upright only (a video's small faces are upright); the full-range quarters a still gets are left out.
    """
    height, width = rgb.shape[:2]
    found = []
    for level in _plan(rgb)[1:]:
        for region in tiles(height, width, level.side):
            found += detect_in(rgb, region, 0, level.model, NEW_SCORE)
    return found


def _plan(rgb: np.ndarray) -> list:
    plan = levels(*rgb.shape[:2])
    if len(plan) > 2:
        del plan[1]  # the whole frame in every turn, then the back-camera model's tiles for small faces
    return plan
