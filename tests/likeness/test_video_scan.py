"""Greenlight's video scan (a BlazeFace pass on every frame) against the exhaustive per-frame dlib scan."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from greenlight.domain.registry import SubjectKind
from greenlight.likeness.coverage import compare_tracks
from greenlight.likeness.everyframe import SWEEP_INTERVAL, scan_frames_every
from greenlight.likeness.gallery import Gallery
from greenlight.likeness.keyframes import KEYFRAME_INTERVAL
from greenlight.likeness.perframe import scan_frames_exhaustively
from greenlight.likeness.scan import scan_file, scan_video


def _frames_of(result, subject_id: str) -> set[int]:
    return {f for t in result.tracks if t.identity.subject_id == subject_id for f, _ in t.boxes}


def test_clip_tracks_name_who_is_on_screen_and_no_one_else(clip, clip_keyframe):
    result = clip_keyframe.result
    assert result.media == "video" and (result.width, result.height, result.frame_count) == (*clip.size,
                                                                                            clip.frame_count)
    assert result.fps == pytest.approx(clip.fps)
    for track in result.tracks:
        # In the real footage Alex Lacamoire, in profile on frames 20–81, may be recognised or stay unknown.
        assert track.identity.subject_id in clip.allowed(track.first_frame), (track.first_frame, track.identity)
        expected_kind = SubjectKind.PROTECTED if track.identity.subject_id in ("obama", "biden") else SubjectKind.TALENT
        assert track.identity.kind in (expected_kind, SubjectKind.UNKNOWN)
        frames = [f for f, _ in track.boxes]
        assert frames == list(range(track.first_frame, track.last_frame + 1))  # a box on every frame
    # Everyone on every frame they are on screen (a wide ~50 px face, close-ups, a face entering) and
    # on no frame they are not; no track crosses a cut.
    for subject_id, frames in clip.on_screen.items():
        assert frames <= _frames_of(result, subject_id), (subject_id, sorted(frames - _frames_of(result, subject_id)))
    for subject_id, frames in clip.off_screen.items():
        assert not _frames_of(result, subject_id) & frames, subject_id
    for track in result.tracks:
        assert not any(track.first_frame < cut <= track.last_frame for cut in clip.cuts)


def test_clip_keyframe_tracks_cover_every_per_frame_face(clip, clip_per_frame, clip_keyframe):
    reference, result = clip_per_frame.result, clip_keyframe.result
    assert len(reference.tracks) >= 3
    coverage = compare_tracks(reference.tracks, result.tracks)
    assert coverage.face_frames >= clip.min_face_frames
    assert coverage.missed == () and coverage.mismatched == ()
    assert coverage.ratio == 1.0
    # The same people, and in the real footage Alex Lacamoire, whom only Greenlight's scan sees (in profile).
    found = {t.identity.subject_id for t in result.tracks}
    assert {t.identity.subject_id for t in reference.tracks} <= found <= {*clip.on_screen, *clip.maybe, None}


@pytest.mark.parametrize("clip", ["hamilton"], indirect=True)  # the real footage, or a skip saying it is missing
def test_clip_profile_is_reported(clip, clip_keyframe):
    """Alex Lacamoire in profile (frames 20–81; at 50–81 half of him is cut off by the frame's edge).

    He is the only face 100 px wide or more in that shot; no dlib scan reported him on any frame.
    """
    seen = {f for t in clip_keyframe.result.tracks for f, b in t.boxes if b.width >= 100 and b.right >= 450}
    assert len(seen & set(range(20, 82))) >= 40


def test_clip_scan_detects_on_every_frame_and_embeds_rarely(clip, clip_per_frame, clip_keyframe):
    stats, frames = clip_keyframe.stats, clip.frame_count
    assert stats["frame_passes"] == frames  # a detection pass on every frame
    # A fine sweep every SWEEP_INTERVAL frames, plus one per cut.
    assert stats["sweeps"] <= frames // SWEEP_INTERVAL + 1 + len(clip.cuts)
    assert stats["embeddings"] <= 30 < clip_per_frame.stats["embeddings"]
    assert stats.get("full_detections", 0) == 0  # no dlib HOG on a video frame
    assert clip_keyframe.progress[-1] == (frames, frames)
    assert [done for done, _ in clip_keyframe.progress] == list(range(1, frames + 1))


def _face_sequence(start: int, stop: int, count: int) -> list[tuple[int, np.ndarray]]:
    """320×240 frames of a textured wall; the astronaut's face (~80 px) is there on frames start..stop-1."""
    rng = np.random.default_rng(7)
    wall = cv2.GaussianBlur(rng.integers(60, 200, (240, 320, 3), dtype=np.uint8), (0, 0), 3)
    face = cv2.resize(data.astronaut()[40:220, 130:310], (120, 120), interpolation=cv2.INTER_AREA)
    frames = []
    for i in range(count):
        rgb = wall.copy()
        if start <= i < stop:
            x = 60 + 2 * (i - start)  # drifting right, two pixels a frame
            rgb[60:180, x:x + 120] = face
        frames.append((i, rgb))
    return frames


def test_a_face_appearing_between_keyframes_is_tracked_from_its_first_frame(tmp_path, analyzer):
    from greenlight.likeness.enrol import reference_from_photo
    from greenlight.media import save_image

    ref = reference_from_photo(save_image(tmp_path / "eileen.png", data.astronaut()), SubjectKind.TALENT,
                               "tal_eileen", analyzer)
    gallery = Gallery([ref], {"tal_eileen": "Eileen Collins"})
    start, stop = KEYFRAME_INTERVAL + 4, 2 * KEYFRAME_INTERVAL + 12  # appears after keyframe 1
    frames = _face_sequence(start, stop, 3 * KEYFRAME_INTERVAL + 5)
    full = scan_frames_exhaustively(frames, analyzer, gallery)
    fast = scan_frames_every(frames, analyzer, gallery)
    assert [t.first_frame for t in full] == [start]
    assert [t.first_frame for t in fast] == [start]
    assert fast[0].last_frame >= full[0].last_frame == stop - 1
    assert fast[0].identity.subject_id == "tal_eileen"
    assert compare_tracks(full, fast).complete


def test_scan_file_dispatches_on_content(faces_dir, gallery, analyzer, tmp_path):
    calls = []
    image = scan_file(faces_dir / "biden" / "biden.jpg", gallery, analyzer, progress=lambda d, t: calls.append((d, t)))
    assert image.media == "image" and image.faces[0].identity.subject_id == "biden" and calls == [(1, 1)]
    # A video with a misleading name is still scanned as a video.
    from greenlight.media import write_video

    clip = write_video(tmp_path / "still.mp4", (rgb for _, rgb in _face_sequence(0, 6, 6)), 25)
    renamed = clip.rename(tmp_path / "still.mov")
    video = scan_file(renamed, gallery, analyzer)
    assert video.media == "video" and video.frame_count == 6 and video.fps == 25
    assert len(video.tracks) == 1 and video.tracks[0].frame_count == 6


def test_truncated_video_is_refused_before_scanning(tmp_path, gallery, analyzer, clip):
    from greenlight.errors import MediaError

    cut = tmp_path / "cut.mp4"
    data_bytes = clip.path.read_bytes()
    cut.write_bytes(data_bytes[: len(data_bytes) // 2])
    with pytest.raises(MediaError, match="cut.mp4"):
        scan_video(cut, gallery, analyzer)
