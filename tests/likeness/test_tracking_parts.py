"""The small parts of the video scan, without models: cut detection, track finishing, coverage."""

from __future__ import annotations

import numpy as np

from greenlight.domain.registry import SubjectKind
from greenlight.domain.scan import Box, FaceTrack, Identity
from greenlight.likeness.coverage import compare_tracks
from greenlight.likeness.gallery import Gallery
from greenlight.likeness.reidentify import start_frames
from greenlight.likeness.shots import CutDetector
from greenlight.likeness.tracks import TrackBuilder


def test_cuts_are_abrupt_changes_not_motion():
    x = np.linspace(0, 4 * np.pi, 160)
    scene_a = np.tile(127 + 100 * np.sin(x), (90, 1)).astype(np.uint8)  # soft vertical bands
    scene_b = 255 - scene_a
    cuts = CutDetector()
    flags = [cuts.is_cut(np.roll(scene_a, 2 * i, axis=1)) for i in range(5)]  # a slow pan
    flags += [cuts.is_cut(scene_b), cuts.is_cut(scene_b)]
    assert flags == [True, False, False, False, False, True, False]


def test_finished_track_fills_gaps_by_interpolation():
    track = TrackBuilder(10, Box(0, 0, 10, 10), 1.0)
    track.see(13, Box(30, 0, 40, 10), 0.5)
    done = track.finish(1, Gallery([], {}), fill_gaps=True)
    assert [f for f, _ in done.boxes] == [10, 11, 12, 13]
    assert dict(done.boxes)[11] == Box(10, 0, 20, 10)
    assert done.identity.kind is SubjectKind.UNKNOWN and done.frame_count == 4
    sparse = track.finish(1, Gallery([], {}), fill_gaps=False)
    assert [f for f, _ in sparse.boxes] == [10, 13]


def test_start_frames_are_spread_over_the_track():
    track = TrackBuilder(30, Box(0, 0, 10, 10), 1.0)
    for f in range(10, 30):
        track.see(f, Box(0, 0, 10, 10), 1.0)
    assert start_frames(track, {10, 15, 20, 25, 30}) == [10, 20, 30]
    assert start_frames(track, {30, 99}) == [30]


def _track(tid: int, frames: range, left: int, who: str | None) -> FaceTrack:
    kind = SubjectKind.TALENT if who else SubjectKind.UNKNOWN
    boxes = tuple((f, Box(left, 0, left + 50, 50)) for f in frames)
    return FaceTrack(tid, frames[0], frames[-1], Identity(kind, who), boxes)


def test_coverage_counts_misses_and_identity_mismatches():
    reference = [_track(1, range(0, 10), 0, "tal_a"), _track(2, range(5, 8), 200, None)]
    candidate = [_track(1, range(0, 8), 5, "tal_a"), _track(2, range(5, 8), 200, "tal_b")]
    cov = compare_tracks(reference, candidate)
    assert (cov.face_frames, cov.covered) == (13, 11)
    assert [f for f, _ in cov.missed] == [8, 9]
    assert [f for f, _ in cov.mismatched] == [5, 6, 7]
    assert cov.ratio == 8 / 13 and not cov.complete
    assert compare_tracks(reference, reference).complete
