"""Checking one video scan against another: are all reference face-frames covered, with the same identity?"""

from __future__ import annotations

from dataclasses import dataclass

from greenlight.domain.scan import Box, FaceTrack

COVER_IOU = 0.3
"""A face-frame is covered when a track has a box on that frame overlapping it this much."""


@dataclass(frozen=True)
class Coverage:
    """How well ``candidate`` tracks cover the face-frames of ``reference`` tracks.

    ``missed`` lists reference face-frames no candidate box covers; ``mismatched`` those covered by a
    track of a different identity (kind or subject).
    """

    face_frames: int
    covered: int
    missed: tuple[tuple[int, Box], ...]
    mismatched: tuple[tuple[int, Box], ...]

    @property
    def ratio(self) -> float:
        """Covered face-frames with the same identity, 0..1 (1 when there is nothing to cover)."""
        good = self.covered - len(self.mismatched)
        return good / self.face_frames if self.face_frames else 1.0

    @property
    def complete(self) -> bool:
        return not self.missed and not self.mismatched


def compare_tracks(reference: tuple[FaceTrack, ...] | list[FaceTrack],
                   candidate: tuple[FaceTrack, ...] | list[FaceTrack]) -> Coverage:
    """Compare candidate tracks with reference tracks face-frame by face-frame.

    Args:
        reference: tracks whose every box is a face-frame to cover (the per-frame scan's).
        candidate: tracks to check (Greenlight's keyframe scan).

    Returns:
        The ``Coverage``.
    """
    by_frame: dict[int, list[tuple[Box, FaceTrack]]] = {}
    for track in candidate:
        for frame, box in track.boxes:
            by_frame.setdefault(frame, []).append((box, track))
    total = covered = 0
    missed: list[tuple[int, Box]] = []
    mismatched: list[tuple[int, Box]] = []
    for ref in reference:
        for frame, box in ref.boxes:
            total += 1
            overlaps = [(box.iou(b), t) for b, t in by_frame.get(frame, ())]
            best = max(overlaps, key=lambda o: o[0], default=(0.0, None))
            if best[1] is None or best[0] < COVER_IOU:
                missed.append((frame, box))
                continue
            covered += 1
            got, want = best[1].identity, ref.identity
            if (got.kind, got.subject_id) != (want.kind, want.subject_id):
                mismatched.append((frame, box))
    return Coverage(total, covered, tuple(missed), tuple(mismatched))
