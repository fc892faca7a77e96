"""Greenlight's video scan: full detection on keyframes, cheap local tracking in between.

Per frame, each followed face is looked for again only in a small area around its last box (a HOG
search on a crop about twice the face's size, ~2.5 ms instead of ~65 ms for the whole upsampled
640×360 frame). Every ``KEYFRAME_INTERVAL`` frames, and on the first frame of every shot (a cut), the
whole frame is searched, so that new faces are found; there, weak candidates (SVM margin down to the
following threshold) are followed too, and become faces once any frame detects them at full strength,
because HOG flickers on hard faces and a keyframe may fall on a frame where it hesitates. A face first
found on a keyframe is searched for backwards, frame by frame, through the last two intervals of the
shot (kept in greyscale), so its track starts where the face really appeared, not at the keyframe.
A track is confirmed by the CNN detector once, and embedded as ``greenlight.likeness.reidentify`` says.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable

import numpy as np

from greenlight.domain.scan import FaceTrack
from greenlight.likeness import reidentify
from greenlight.likeness.faces import FaceAnalyzer
from greenlight.likeness.frames import Frame, as_frames
from greenlight.likeness.gallery import Gallery
from greenlight.likeness.shots import CutDetector
from greenlight.likeness.tracks import TrackBuilder, best_match

KEYFRAME_INTERVAL = 15
"""Frames between full-frame detections: half a second at 30 fps, so any face on screen that long is
seen on at least one keyframe. Measured on the sample clip (docs/benchmarks.md): 20 frames already
loses Lin-Manuel Miranda's whole 18-frame wide shot (its keyframes fall on frames 0 and 20, where HOG
does not fire); 15 keeps every face-frame and stays well above a 10× speed-up on two CPU cores."""
MAX_MISSES = 30
"""Frames a followed face is still looked for after its last detection before its track ends.

HOG flickers on hard faces (the audience member at the end of the clip is missed on 5 frames in a row,
then found again on a single frame 18 frames later): looking on for a second keeps such faces in their
track. The track still ends at its last detection, not at the last guess."""
BACK_INTERVALS = 2
"""Keyframe intervals of frames kept for searching back from a new track: two, so that a face the
previous keyframe missed by a flicker is still followed back to where it started."""
RGB_STRIDE = 5
"""Of the frames kept for the backward search, every this-many-th keeps its picture (not only its
greyscale), so that a new track can be embedded on earlier frames, not only on the keyframe."""
MAX_CONFIRM_ATTEMPTS = 3
"""Keyframes on which an unconfirmed track is re-checked by the CNN before it is taken as a non-face."""


class KeyframeScanner:
    """Builds face tracks from frames fed in order (one scanner per video).

    Args:
        analyzer: the face analyzer.
        gallery: references to identify against (also used to judge whether an identity is uncertain).
        keyframe_interval: frames between full-frame detections.
    """

    def __init__(self, analyzer: FaceAnalyzer, gallery: Gallery, keyframe_interval: int = KEYFRAME_INTERVAL) -> None:
        self.analyzer = analyzer
        self.gallery = gallery
        self.interval = keyframe_interval
        self._cuts = CutDetector()
        self._active: list[TrackBuilder] = []
        self._done: list[TrackBuilder] = []
        # (index, greyscale, frame or None): the recent frames of the current shot.
        self._recent: collections.deque[tuple[int, np.ndarray, Frame | None]] = collections.deque(
            maxlen=BACK_INTERVALS * keyframe_interval)
        self._last_keyframe = -keyframe_interval

    def feed(self, frame: Frame) -> None:
        """Process the next frame (RGB is converted only if an embedding or a confirmation needs it)."""
        index, gray = frame.index, frame.gray()
        if self._cuts.is_cut(gray):
            self._end_shot()
            self._last_keyframe = -self.interval
        for track in self._active:
            found = self.analyzer.locate_near(gray, track.last_box)
            if found is not None:
                track.see(index, found.box, found.score)
                if track.confirm_attempts == 0:
                    self._confirm(track, frame)  # a weak candidate just detected at full strength
            else:
                track.misses += 1
        if index - self._last_keyframe >= self.interval:
            self._last_keyframe = index
            self._keyframe(frame, gray)
        for track in [t for t in self._active if t.misses > MAX_MISSES]:
            self._active.remove(track)
            self._done.append(track)
        for track in self._active:
            if track.confirmed and index in track.boxes:
                self._identify(track, frame)
        self._recent.append((index, gray, frame if index % RGB_STRIDE == 0 else None))

    def tracks(self) -> list[FaceTrack]:
        """The confirmed face tracks, numbered in order of first appearance."""
        self._end_shot()
        faces = sorted((t for t in self._done if t.confirmed), key=lambda t: (min(t.boxes), t.last_box.left))
        return [t.finish(n, self.gallery, fill_gaps=True) for n, t in enumerate(faces, start=1)]

    def _keyframe(self, frame: Frame, gray: np.ndarray) -> None:
        index = frame.index
        for candidate in self.analyzer.candidates(gray, threshold=self.analyzer.follow_threshold):
            track = best_match(self._active, candidate.box, index)
            if track is None:
                track = TrackBuilder(index, candidate.box, candidate.score)
                self._active.append(track)
                self._search_back(track)
            elif index not in track.boxes:
                track.see(index, candidate.box, candidate.score)
        for track in self._active:
            self._confirm(track, frame)

    def _confirm(self, track: TrackBuilder, frame: Frame) -> None:
        # Only a track detected at full strength somewhere is worth a CNN check (~0.12 s); a track the
        # CNN refused is re-checked on later keyframes only, a few times.
        strong = track.best_score >= self.analyzer.hog_threshold
        due = not track.confirmed and track.confirm_attempts < MAX_CONFIRM_ATTEMPTS
        if strong and due and frame.index in track.boxes:
            track.confirm_attempts += 1
            track.confirmed = self.analyzer.confirm(frame.rgb(), track.boxes[frame.index])

    def _search_back(self, track: TrackBuilder) -> None:
        box, misses = track.last_box, 0
        for frame, gray, _ in reversed(self._recent):
            found = self.analyzer.locate_near(gray, box)
            if found is None:
                misses += 1
                if misses > MAX_MISSES:
                    break
                continue
            track.see(frame, found.box, found.score)
            box, misses = found.box, 0

    def _identify(self, track: TrackBuilder, frame: Frame) -> None:
        if not track.embeddings:
            # A new face: embed it on a few frames spread over what is known of it.
            kept = {i: f for i, _, f in self._recent if f is not None and i in track.boxes}
            kept[frame.index] = frame
            for i in reidentify.start_frames(track, set(kept)):
                track.add_embedding(i, self.analyzer.embed(kept[i].rgb(), track.boxes[i]))
        elif reidentify.needs_embedding(track, frame.index, self.gallery):
            track.add_embedding(frame.index, self.analyzer.embed(frame.rgb(), track.boxes[frame.index]))

    def _end_shot(self) -> None:
        self._done.extend(self._active)
        self._active = []
        self._recent.clear()


def scan_frames(frames: Iterable[Frame | tuple[int, np.ndarray]], analyzer: FaceAnalyzer, gallery: Gallery,
                keyframe_interval: int = KEYFRAME_INTERVAL) -> list[FaceTrack]:
    """Run a ``KeyframeScanner`` over frames (or ``(index, rgb)`` pairs) in order and return its tracks."""
    scanner = KeyframeScanner(analyzer, gallery, keyframe_interval)
    for frame in as_frames(frames):
        scanner.feed(frame)
    return scanner.tracks()
