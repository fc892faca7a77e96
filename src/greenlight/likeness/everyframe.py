"""Greenlight's video scan: a BlazeFace pass on every frame, a finer sweep on keyframes, dlib only to identify.

Every frame gets a full-range BlazeFace pass on the whole frame (5–8 ms), which finds any face a tenth
of the frame's long side or more, upright or tilted, frontal or turning, on the very frame it appears:
a face on screen for a single frame between keyframes is found. A followed face that pass misses (too
small for it, or in profile, where its score sags) is looked for by the short-range model on a crop
around its last box. On the first frame of each shot and every ``SWEEP_INTERVAL`` frames the frame is
swept like a still, without the negative (``greenlight.likeness.sweep``: quarter turns, tiles down to
20 px faces), so that small and rotated faces start tracks too; between sweeps, the back-camera model
runs at the sweep's tiles' scale on crops around the change no whole-frame face explains
(``greenlight.likeness.framepass.Spotter`` and ``spot_crops``), so that a small face on screen for a
few frames starts a track too. The whole-frame pass and the sweeps
depend on the frame alone (``greenlight.likeness.framepass``): ``scan_video`` has them computed ahead
in a second process (``greenlight.likeness.framefeed``) while this one tracks and identifies.

A new track becomes a face once FaceMesh says one of its detections is a face (on the upright crop,
``greenlight.likeness.align``) or once BlazeFace has found it on ``PERSISTENT_FRAMES`` frames. It is
embedded by dlib on the upright crop (``greenlight.likeness.detector.upright_chip``) when confirmed,
and again as ``greenlight.likeness.reidentify`` says. A confirmed track that matches no reference
stays ``unknown``: it is reported, never dropped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

import cv2
import numpy as np

from greenlight.domain.scan import Box, FaceTrack
from greenlight.likeness import blazeface, reidentify
from greenlight.likeness.align import face_presence
from greenlight.likeness.blazeface import Detection
from greenlight.likeness.detector import PRESENCE, upright_chip
from greenlight.likeness.faces import FaceAnalyzer
from greenlight.likeness.framepass import (
    FOLLOW_SCORE,
    NEW_SCORE,
    SWEEP_INTERVAL,
    Change,
    FramePass,
    Schedule,
    passes_on,
    with_spots,
)
from greenlight.likeness.frames import Frame, as_frames
from greenlight.likeness.gallery import Gallery
from greenlight.likeness.sweep import detect_in, roll_gap, unmirrored
from greenlight.likeness.tracks import TrackBuilder, best_match

__all__ = ["FOLLOW_SCORE", "NEW_SCORE", "SWEEP_INTERVAL", "EveryFrameScanner", "Passes", "scan_frames_every"]

Passes = Callable[[Frame, bool, bool, Change | None], FramePass]
"""Gives a frame's ``FramePass`` from the frame, whether it starts a shot, whether it is swept and where it changed:
``greenlight.likeness.framepass.passes_on`` computes it here, ``greenlight.likeness.framefeed`` takes it
from a second process that computed the same ahead."""

MAX_MISSES = 30
"""Frames a track is still looked for after its last detection before it ends (a second at 30 fps)."""
LOCAL_MISSES = 5
"""A followed face is looked for locally for this many frames after it was last found (then only by
the whole-frame pass and the sweeps), so that a face that left does not cost a pass per frame."""
LOCAL_CONTEXT = 3.0
"""A small face's local search crop is this many face widths on a side."""
EDGE_CUT = 0.1
"""A followed face whose box reaches this fraction of its size past the frame's edge is looked for locally inside
the edge's mirror (``_mirrored_local``); one that barely touches the edge as before (the sample clip's face at
its left edge, 1 px past it, was followed 10 frames less inside the mirror)."""
MAX_CHECKS = 3
PERSISTENT_FRAMES = 10
"""A track BlazeFace detects on this many frames of one shot (scoring ``NEW_SCORE`` or more) is a face
even when FaceMesh doubts it: it misses faces in profile and blurred faces (the sample clip's profile
and its audience), and a chance hit on a texture rarely holds on as many frames."""
"""Detections of an unconfirmed track that are shown to FaceMesh / the CNN before it is dropped."""


class EveryFrameScanner:
    """Builds face tracks from frames fed in order (one scanner per video stream).

    Args:
        analyzer: dlib's analyzer (identity embeddings, CNN second opinions).
        gallery: references to identify against.
        sweep_interval: frames between fine sweeps.
        passes: where each frame's whole-frame pass and sweep come from (default: computed here).
    """

    def __init__(self, analyzer: FaceAnalyzer, gallery: Gallery, sweep_interval: int = SWEEP_INTERVAL,
                 passes: Passes = passes_on) -> None:
        self.analyzer = analyzer
        self.gallery = gallery
        self.interval = sweep_interval
        self._schedule = Schedule(sweep_interval)
        self._passes = passes
        self._active: list[TrackBuilder] = []
        self._done: list[TrackBuilder] = []
        self._latest: dict[int, Candidates] = {}  # id(track) → its detection on the current frame, and others
        self._roll: dict[int, Detection] = {}  # id(track) → the detection FaceMesh confirmed it on
        self._strong: dict[int, int] = {}  # id(track) → frames it was detected on with NEW_SCORE or more

    def feed(self, frame: Frame) -> None:
        """Process the next frame."""
        index = frame.index
        cut, sweep, change = self._schedule.next(index, frame.gray())
        if cut:
            self._end_shot()
        self._embed_while_waiting()
        passed = self._passes(frame, cut, sweep, change)
        if passed.spots_left and change is not None:  # crops a worker left to the scan
            passed = with_spots(passed, frame, change)
        self.analyzer.stats["frame_passes"] += 1
        self.analyzer.stats["spot_passes"] += len(passed.spots)
        found = list(passed.found)
        found += self._local(frame, found)
        found += self._new_only(passed.spotted, found)
        if passed.swept is not None:
            self.analyzer.stats["sweeps"] += 1
            found += passed.swept
        self._latest = {}
        for merged in candidates(found):
            self._assign(index, merged)
        for track in self._active:
            if index not in track.boxes:
                track.misses += 1
        for track in [t for t in self._active if t.misses > MAX_MISSES]:
            self._active.remove(track)
            self._done.append(track)
        for track in self._active:
            if index in track.boxes:
                self._check_and_identify(track, frame, index)

    def tracks(self, stream: int = 0) -> list[FaceTrack]:
        """The confirmed face tracks, numbered in order of first appearance."""
        self._end_shot()
        faces = sorted((t for t in self._done if t.confirmed), key=lambda t: (min(t.boxes), t.last_box.left))
        return [_with_stream(t.finish(n, self.gallery, fill_gaps=True), stream) for n, t in enumerate(faces, 1)]

    def _embed_while_waiting(self) -> None:
        # Embeddings are recorded as work to do and computed when first needed (a track's identity) or,
        # when the passes come from a worker, while its next pass is not ready: dlib's 90 ms then fills
        # what was idle time, and every embedding is of the same chip as before, so the tracks are the same.
        ready = getattr(self._passes, "ready", None)
        if ready is None:
            return
        tracks = self._active + self._done
        while not ready() and any(track.settle_one() for track in tracks):
            pass

    def _local(self, frame: Frame, found: list[Detection]) -> list[Detection]:
        # A followed face the whole-frame pass did not find this time (too small for it, or turned to
        # profile, where the full-range model's score sags) gets a pass of its own: the short-range
        # model (3 ms), which sees a large profile best, on a crop the face fills a quarter of.
        # The frame's RGB picture is made only when a face needs such a pass.
        height, width = frame.gray().shape[:2]
        boxes = [_box(d) for d in found]
        local = []
        for track in self._active:
            box = track.last_box
            if len(track.boxes) < 2 or track.misses > LOCAL_MISSES or any(box.iou(b) >= 0.3 for b in boxes):
                continue
            side = min(round(max(box.width, box.height) * LOCAL_CONTEXT), height, width)
            cx, cy = (box.left + box.right) // 2, (box.top + box.bottom) // 2
            x0, y0 = max(0, min(width - side, cx - side // 2)), max(0, min(height - side, cy - side // 2))
            self.analyzer.stats["local_passes"] += 1
            seen = detect_in(frame.rgb(), (x0, y0, x0 + side, y0 + side), model="short", threshold=FOLLOW_SCORE)
            if _cut_by_edge(box, height, width) and not any(_near(*d.centre, box) for d in seen):
                # Only this face from the mirror: another made whole by it is the sweep's to start.
                self.analyzer.stats["local_passes"] += 1
                seen += [d for d in _mirrored_local(frame.rgb(), cx, cy, side) if _near(*d.centre, box)]
            local += seen
        return local

    def _new_only(self, spotted: tuple[Detection, ...], found: list[Detection]) -> list[Detection]:
        # The changed tiles are there for faces the whole-frame and local passes cannot see; where those
        # found a face on this frame, it keeps their boxes (a tile may see part of a large profile as a
        # small face of its own, which would pull the track off it). A weak whole-frame detection near no
        # followed face keeps nothing: it cannot start a track, so a tile's stronger one of that face must.
        followed = [t.last_box for t in self._active]
        boxes = [_box(d) for d in found
                 if d.score >= NEW_SCORE or any(_near(*d.centre, b) for b in followed)]
        return [d for d in spotted if not any(_near((d.left + d.right) / 2, (d.top + d.bottom) / 2, b) for b in boxes)]

    def _assign(self, index: int, merged: Candidates) -> None:
        det = merged[0]
        box = _box(det)
        track = best_match([t for t in self._active if index not in t.boxes], box, index)
        if track is None and det.score < NEW_SCORE:
            return  # weak: it may only continue a face already followed
        if track is None:
            track = TrackBuilder(index, box, det.score)
            self._active.append(track)
        else:
            track.see(index, box, det.score)
        self._latest[id(track)] = merged
        if det.score >= NEW_SCORE:
            self._strong[id(track)] = self._strong.get(id(track), 0) + 1

    def _check_and_identify(self, track: TrackBuilder, frame: Frame, index: int) -> None:
        merged = self._latest.get(id(track))
        if merged is None:
            return
        det = merged[0]
        if not track.confirmed:
            if track.confirm_attempts >= MAX_CHECKS and index % self.interval and not self._persistent(track):
                return  # a doubtful track is looked at again on sweep frames only
            track.confirm_attempts += 1
            self.analyzer.stats["presence_checks"] += 1
            # No CNN second opinion here (0.15 s a look): persistence through the shot stands in for it.
            seen = det if self._persistent(track) else next(
                (d for d in merged if face_presence(frame.rgb(), d) >= PRESENCE), None)
            if seen is None:
                return
            track.confirmed, self._roll[id(track)] = True, seen
            track.see(index, _box(seen), seen.score)
        det = min(merged, key=lambda d: roll_gap(d, self._roll.get(id(track), det)))
        if track.embedded_at is None or reidentify.needs_embedding(track, index, self.gallery):
            chip, box = upright_chip(frame.rgb(), det)
            track.add_embedding(index, functools.partial(self.analyzer.embed, chip, box))

    def _persistent(self, track: TrackBuilder) -> bool:
        return self._strong.get(id(track), 0) >= PERSISTENT_FRAMES

    def _end_shot(self) -> None:
        self._done.extend(self._active)
        self._active = []


Candidates = tuple[Detection, ...]
"""One face's detections on a frame: the merged best, then one in each other quarter turn (``candidates``)."""


def candidates(found: list[Detection]) -> list[Candidates]:
    """MediaPipe's weighted non-maximum suppression, except that a group's detections whose roll lies in
    another quarter turn than its best's are not averaged in but kept after it, best first, one per quarter:
    a sweep's turned tile also finds a small upright face, askew, and its upright tile a turned one, and
    which scores higher varies (upright 20–22 px faces lost to the askew box, 2 of 12; turned ones to the
    upright pass, 13 of 36), so FaceMesh is asked about each. (Rolls closer than that are one face's: the
    full-range and short-range models' keypoints differ by up to 30° on a face turning to profile.)"""
    remaining = sorted(found, key=lambda d: -d.score)
    merged: list[Candidates] = []
    while remaining:
        best = remaining[0]
        group = [d for d in remaining if d.iou(best) >= blazeface.NMS_IOU]
        remaining = [d for d in remaining if d.iou(best) < blazeface.NMS_IOU]
        quarters = {_quarter(best): best}
        for det in group:
            quarters.setdefault(_quarter(det), det)
        same = [d for d in group if _quarter(d) == _quarter(best)]
        merged.append((*blazeface.weighted_nms(same), *list(quarters.values())[1:]))
    return merged


def _quarter(det: Detection) -> int:
    """The quarter turn nearest the detection's roll (0 upright, 1 on its left side, …)."""
    return round(det.roll() / 90) % 4


def _box(det: Detection) -> Box:
    return Box(round(det.left), round(det.top), round(det.right), round(det.bottom))


def _near(x: float, y: float, box: Box) -> bool:
    """Whether the point lies within ``box`` widened by half its size on each side."""
    return (box.left - box.width / 2 <= x <= box.right + box.width / 2
            and box.top - box.height / 2 <= y <= box.bottom + box.height / 2)


def _cut_by_edge(box: Box, height: int, width: int) -> bool:
    """Whether a followed face's box reaches ``EDGE_CUT`` of its size past the frame's edge (the sweep found it
    in the edge's mirror)."""
    dx, dy = EDGE_CUT * box.width, EDGE_CUT * box.height
    return box.left < -dx or box.top < -dy or box.right > width + dx or box.bottom > height + dy


def _mirrored_local(rgb: np.ndarray, cx: int, cy: int, side: int) -> list[Detection]:
    # A face cut by the frame's edge is looked for as the sweep found it: centred in its crop, the part of the
    # crop beyond the edge the edge's mirror (``sweep.edge_padded``; a crop that ends at the edge missed a 100 px
    # face cut 40 % by it on every frame between sweeps); a reflection found is taken back to the face.
    height, width = rgb.shape[:2]
    half = side // 2
    x0, y0 = min(max(cx - half, -half), width - half), min(max(cy - half, -half), height - half)
    x1, y1 = x0 + side, y0 + side
    inner = rgb[max(0, y0):min(height, y1), max(0, x0):min(width, x1)]
    crop = cv2.copyMakeBorder(inner, max(0, -y0), max(0, y1 - height), max(0, -x0), max(0, x1 - width),
                              cv2.BORDER_REFLECT)
    shift = np.array([[1, 0, x0], [0, 1, y0]], dtype=np.float64)
    found = detect_in(crop, (0, 0, crop.shape[1], crop.shape[0]), model="short", threshold=FOLLOW_SCORE)
    return [unmirrored(d.mapped(shift), height, width) for d in found]


def _with_stream(track: FaceTrack, stream: int) -> FaceTrack:
    if stream == 0:
        return track
    from dataclasses import replace

    return replace(track, stream=stream)


def scan_frames_every(frames: Iterable[Frame | tuple[int, np.ndarray]], analyzer: FaceAnalyzer, gallery: Gallery,
                      sweep_interval: int = SWEEP_INTERVAL, stream: int = 0,
                      passes: Passes = passes_on) -> list[FaceTrack]:
    """Run an ``EveryFrameScanner`` over frames (or ``(index, rgb)`` pairs) in order and return its tracks."""
    scanner = EveryFrameScanner(analyzer, gallery, sweep_interval, passes)
    for frame in as_frames(frames):
        scanner.feed(frame)
    return scanner.tracks(stream)
