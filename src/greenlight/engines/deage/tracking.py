"""Find the talent's face through a clip: detect on keyframes, follow landmarks in between.

Detection and identification are the expensive steps (tens of ms each on a CPU); the 68-point
landmark fit is under a millisecond. So faces are looked for every ``keyframe_every`` frames (HOG
candidates on a frame scaled to a fixed working size), and followed between keyframes by refitting
the landmarks from a box made of last frame's landmarks. A candidate that continues a track needs
nothing more; a new one must pass the likeness layer's CNN confirmation (HOG alone fires on things
that are not faces) before it starts a track. Each track is identified from embeddings taken at its
first keyframes (averaged, up to ``max_samples``), and the decision holds for the whole track; a
face that jumps away from its track starts a new one, which is identified afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from greenlight.domain import Box
from greenlight.engines.deage.geometry import FaceFrame, box_from_landmarks
from greenlight.likeness import MATCH_THRESHOLD, FaceAnalyzer
from greenlight.likeness.faces import grey

REJECT_MEMORY_S = 2.0  # seconds a candidate the CNN refused is not re-checked at the same place


@dataclass
class Track:
    """One face followed through consecutive frames.

    Attributes:
        track_id: number, in order of appearance.
        start: first frame index.
        points: raw landmarks per frame from ``start`` on, (68, 2) each.
        confirmed: frame indices of keyframes where a detection matched the track.
        samples: identity embeddings taken so far.
        distance: distance of the averaged embedding to the nearest talent embedding.
        is_talent: the identification decision (None while undecided).
        misses: keyframes in a row without a matching detection.
        open: whether the track is still being followed.
    """

    track_id: int
    start: int
    points: list[np.ndarray] = field(default_factory=list)
    confirmed: list[int] = field(default_factory=list)
    samples: list[np.ndarray] = field(default_factory=list)
    distance: float | None = None
    is_talent: bool | None = None
    misses: int = 0
    open: bool = True

    @property
    def last(self) -> int:
        return self.start + len(self.points) - 1


def talent_distance(embedding: np.ndarray, talent: np.ndarray) -> float:
    """Euclidean distance from one embedding to the nearest of the talent's enrolled embeddings."""
    return float(np.min(np.linalg.norm(talent - embedding[None, :], axis=1)))


class FaceTracker:
    """Follows every face through a clip and tells which tracks are the talent.

    Args:
        analyzer: the likeness layer's face analyzer.
        talent: (K, 128) the talent's enrolled embeddings.
        keyframe_every: look for faces every this many frames.
        detect_short_side: frames are scaled so their short side is this long before the HOG search
            (its cost is then the same for 360p and 4K; the smallest face found is ≈ 1/9 of it).
        max_samples: embeddings averaged before a track is declared not the talent.
        fps: frame rate, to time how long a refused candidate is remembered.
    """

    def __init__(
        self,
        analyzer: FaceAnalyzer,
        talent: np.ndarray,
        keyframe_every: int = 8,
        detect_short_side: int = 720,
        max_samples: int = 3,
        fps: float = 30.0,
    ) -> None:
        self.analyzer = analyzer
        self.talent = np.asarray(talent, dtype=np.float64).reshape(-1, 128)
        self.keyframe_every = max(1, keyframe_every)
        self.detect_short_side = detect_short_side
        self.max_samples = max_samples
        self.reject_frames = max(1, round(REJECT_MEMORY_S * fps))
        self.tracks: list[Track] = []
        self._rejected: list[tuple[int, Box]] = []

    def candidates(self, rgb: np.ndarray) -> list[Box]:
        """Unconfirmed HOG face candidates on one frame, searched at the working size.

        Returns:
            Boxes in frame pixels.
        """
        h, w = rgb.shape[:2]
        k = self.detect_short_side / min(h, w)
        small = rgb if abs(k - 1) < 0.05 else cv2.resize(
            rgb, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
        )
        found = [c.box for c in self.analyzer.candidates(grey(small), upsample=0)]
        if small is rgb:
            return found
        return [
            Box(max(0, int(b.left / k)), max(0, int(b.top / k)), min(w, int(b.right / k)), min(h, int(b.bottom / k)))
            for b in found
        ]

    def _is_face(self, index: int, rgb: np.ndarray, box: Box) -> bool:
        """CNN confirmation of a new candidate, remembering refusals for a while (they recur)."""
        self._rejected = [(i, b) for i, b in self._rejected if index - i < self.reject_frames]
        if any(b.iou(box) > 0.5 for _, b in self._rejected):
            return False
        if self.analyzer.confirm(rgb, box):
            return True
        self._rejected.append((index, box))
        return False

    def step(self, index: int, rgb: np.ndarray) -> None:
        """Advance every open track to frame ``index``; on keyframes, detect and identify.

        Args:
            index: the frame's index (consecutive from 0).
            rgb: the frame, uint8 RGB.
        """
        h, w = rgb.shape[:2]
        for track in self._open():
            self._follow(track, rgb, w, h)
        if index % self.keyframe_every == 0:
            self._keyframe(index, rgb, w, h)

    def _open(self) -> list[Track]:
        return [t for t in self.tracks if t.open]

    def _follow(self, track: Track, rgb: np.ndarray, w: int, h: int) -> None:
        prev = track.points[-1]
        pts = self.analyzer.landmarks(rgb, box_from_landmarks(prev, w, h))
        try:
            a, b = FaceFrame.from_landmarks(prev), FaceFrame.from_landmarks(pts)
        except ValueError:
            track.open = False
            return
        # A fit that suddenly changes size or leaps has lost the face (it turned away, or was
        # occluded): end the track rather than paint on whatever the predictor latched onto.
        ratio = b.iod / a.iod
        if not 0.75 < ratio < 1.33 or np.hypot(*(b.center - a.center)) > 0.8 * a.iod:
            track.open = False
            return
        track.points.append(pts)

    def _keyframe(self, index: int, rgb: np.ndarray, w: int, h: int) -> None:
        detections = self.candidates(rgb)
        open_tracks = self._open()
        pairs = sorted(
            ((box_from_landmarks(t.points[-1], w, h).iou(d), ti, di)
             for ti, t in enumerate(open_tracks) for di, d in enumerate(detections)),
            reverse=True,
        )
        used_t: set[int] = set()
        used_d: set[int] = set()
        for iou, ti, di in pairs:
            # 0.5: a track that has drifted further than that from its face is better restarted.
            if iou < 0.5 or ti in used_t or di in used_d:
                continue
            used_t.add(ti)
            used_d.add(di)
            track = open_tracks[ti]
            track.misses = 0
            track.confirmed.append(index)
            self._identify(track, rgb, detections[di])
        for ti, track in enumerate(open_tracks):
            if ti not in used_t:
                track.misses += 1
                # One missed keyframe is tolerated (a blink of the detector); two end the track.
                track.open = track.misses < 2
        for di, box in enumerate(detections):
            if di in used_d or not self._is_face(index, rgb, box):
                continue
            track = Track(track_id=len(self.tracks), start=index, confirmed=[index])
            track.points.append(self.analyzer.landmarks(rgb, box))
            self.tracks.append(track)
            self._identify(track, rgb, box)

    def _identify(self, track: Track, rgb: np.ndarray, box: Box) -> None:
        if track.is_talent is not None or len(self.talent) == 0:
            return
        track.samples.append(np.asarray(self.analyzer.embed(rgb, box), dtype=np.float64))
        track.distance = talent_distance(np.mean(track.samples, axis=0), self.talent)
        if track.distance <= MATCH_THRESHOLD:
            track.is_talent = True
        elif len(track.samples) >= self.max_samples:
            track.is_talent = False

    def talent_tracks(self, frame_count: int) -> list[Track]:
        """The tracks identified as the talent, cut to the frames they are trusted on.

        A track is trusted up to half a keyframe interval past its last confirming detection (the
        frames after that may show a face already turned away), or to the clip's end.

        Args:
            frame_count: frames in the clip.

        Returns:
            Talent tracks, each with ``points`` trimmed accordingly.
        """
        out = []
        for t in self.tracks:
            if not t.is_talent or not t.confirmed:
                continue
            end = min(t.last, frame_count - 1, t.confirmed[-1] + self.keyframe_every // 2)
            if t.last >= frame_count - 1 and t.open:
                end = t.last
            t.points = t.points[: end - t.start + 1]
            out.append(t)
        return out


def fade_weights(start: int, length: int, frame_count: int, ramp: int) -> np.ndarray:
    """Strength per frame of a track: ramps in and out, unless the track touches the clip's ends.

    The de-aging then eases in when a face is first found and out when it is lost, instead of
    popping on or off.

    Args:
        start: first frame of the track.
        length: frames in the track.
        frame_count: frames in the clip.
        ramp: frames each ramp lasts.

    Returns:
        (length,) weights in (0, 1].
    """
    w = np.ones(length)
    if ramp <= 1 or length == 0:
        return w
    i = np.arange(length, dtype=np.float64)
    if start > 0:
        w = np.minimum(w, (i + 1) / ramp)
    if start + length < frame_count:
        w = np.minimum(w, (length - i) / ramp)
    # Smoothstep: no kink in the strength curve where the ramp meets the plateau.
    w = np.clip(w, 0.0, 1.0)
    return w * w * (3 - 2 * w)
