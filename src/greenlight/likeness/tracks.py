"""A face track while it is being built, and how it becomes a ``FaceTrack``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from greenlight.domain.registry import SubjectKind
from greenlight.domain.scan import Box, FaceTrack, Identity
from greenlight.likeness.gallery import Gallery

SAME_FACE_IOU = 0.3
"""Boxes on nearby frames that overlap this much are taken to be the same face."""


class TrackBuilder:
    """Boxes seen so far for one face, its identity embeddings and whether the CNN confirmed it."""

    def __init__(self, frame: int, box: Box, score: float) -> None:
        self.boxes: dict[int, Box] = {frame: box}
        self.best_score = score
        self.last_frame = frame
        self.last_box = box
        self.gap = 0  # frames between the last two detections, in time order
        self.previous_box = box
        self.misses = 0
        self.confirmed = False
        self.confirm_attempts = 0
        self._embeddings: list[np.ndarray | Callable[[], np.ndarray]] = []
        self.embedded_at: tuple[int, Box] | None = None

    def see(self, frame: int, box: Box, score: float) -> None:
        """Record a detection of this face on ``frame``."""
        self.boxes[frame] = box
        self.best_score = max(self.best_score, score)
        if frame > self.last_frame:
            self.gap, self.previous_box = frame - self.last_frame, self.last_box
        if frame >= self.last_frame:
            self.last_frame, self.last_box, self.misses = frame, box, 0

    def add_embedding(self, frame: int, embedding: np.ndarray | Callable[[], np.ndarray]) -> None:
        """Record the identity embedding of this face on ``frame`` (where it must have a box).

        ``embedding`` is the vector, or what computes it when it is first needed (``embeddings``,
        ``settle_one``): a video scan computes it while it waits for its frame passes.
        """
        self._embeddings.append(embedding)
        self.embedded_at = (frame, self.boxes[frame])

    @property
    def embeddings(self) -> list[np.ndarray]:
        """The embeddings so far, in the order they were added (any still to compute are computed now)."""
        while self.settle_one():
            pass
        return list(self._embeddings)

    def settle_one(self) -> bool:
        """Compute the first embedding still to compute; False when there is none."""
        for i, embedding in enumerate(self._embeddings):
            if callable(embedding):
                self._embeddings[i] = embedding()
                return True
        return False

    def mean_embedding(self) -> np.ndarray | None:
        """The mean of the embeddings so far (what the track's identity is decided on), or None."""
        embeddings = self.embeddings
        return np.mean(embeddings, axis=0) if embeddings else None

    def finish(self, track_id: int, gallery: Gallery, fill_gaps: bool) -> FaceTrack:
        """The finished track; with ``fill_gaps`` frames between detections get interpolated boxes."""
        mean = self.mean_embedding()
        identity = gallery.identify(mean) if mean is not None else Identity(SubjectKind.UNKNOWN)
        frames = sorted(self.boxes)
        boxes = dict(self.boxes)
        if fill_gaps:
            for a, b in zip(frames, frames[1:], strict=False):
                for f in range(a + 1, b):
                    boxes[f] = _lerp(self.boxes[a], self.boxes[b], (f - a) / (b - a))
        return FaceTrack(track_id=track_id, first_frame=frames[0], last_frame=frames[-1], identity=identity,
                         boxes=tuple(sorted(boxes.items())))


def best_match(tracks: list[TrackBuilder], box: Box, frame: int) -> TrackBuilder | None:
    """The track whose box on ``frame`` (or latest box) overlaps ``box`` most, if by ``SAME_FACE_IOU``, or
    holds it (``nested``)."""
    best, best_iou = None, SAME_FACE_IOU
    for track in tracks:
        held = track.boxes.get(frame, track.last_box)
        overlap = max(held.iou(box), SAME_FACE_IOU if nested(held, box) else 0.0)
        if overlap >= best_iou:
            best, best_iou = track, overlap
    return best


def nested(a: Box, b: Box) -> bool:
    """Whether the smaller box is at least half as wide as the larger and centred in it (within a quarter of
    its width): one small face's boxes from two models or scales (a 22 px face: 24 px and 45 px, IoU 0.28),
    not a face behind another's (off its centre: the sample clip's audience around a profile)."""
    small, large = sorted((a, b), key=lambda x: x.width * x.height)
    dx = (small.left + small.right - large.left - large.right) / 2
    dy = (small.top + small.bottom - large.top - large.bottom) / 2
    return 2 * small.width >= large.width and max(abs(dx), abs(dy)) <= large.width / 4


def _lerp(a: Box, b: Box, t: float) -> Box:
    return Box(*(round(x + (y - x) * t) for x, y in zip(
        (a.left, a.top, a.right, a.bottom), (b.left, b.top, b.right, b.bottom), strict=True)))
