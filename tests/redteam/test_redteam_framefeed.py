"""Attacks on the video scan's frame-pass worker: can main and worker disagree so that a face is missed,
is a process left behind, does the worker ever find less than the scan alone?

Each test is one attack; it passes when the guard holds.
"""

from __future__ import annotations

import multiprocessing

import cv2
import numpy as np
import pytest

from greenlight.errors import MediaError
from greenlight.likeness import framefeed
from greenlight.likeness.everyframe import scan_frames_every
from greenlight.likeness.framefeed import FrameFeed
from greenlight.likeness.frames import ArrayFrame
from greenlight.likeness.scan import scan_video
from tests.likeness.conftest import NAMES, PROTECTED

needs_two_cores = pytest.mark.skipif(not framefeed.can_run_ahead(), reason="no second core or no fork here")
SIZE = (360, 640)


@pytest.fixture(scope="module")
def protected_gallery(faces, analyzer):
    """Barack Obama and Joe Biden protected, enrolled from their first photos."""
    from greenlight.domain.registry import SubjectKind
    from greenlight.likeness.enrol import reference_from_photo
    from greenlight.likeness.gallery import Gallery

    photos = {"obama": "obama/obama.jpg", "biden": "biden/biden.jpg"}
    refs = [reference_from_photo(faces / p, SubjectKind.PROTECTED, sid, analyzer) for sid, p in photos.items()]
    assert set(photos) <= PROTECTED
    return Gallery(refs, NAMES)


@pytest.fixture(scope="module")
def obama_face(faces):
    """A crop of Obama's face from a photo other than the one enrolled, 160 px square."""
    return face_crop(faces)


def face_crop(faces):
    """Obama's face and some of his hair and collar, from ``obama2.jpg``, 160 px square."""
    from greenlight.likeness import blazeface
    from greenlight.media import load_image

    rgb = load_image(faces / "obama" / "obama2.jpg")
    [det] = [d for d in blazeface.detect(rgb, "full", 0.5)][:1]
    cx, cy, side = (det.left + det.right) / 2, (det.top + det.bottom) / 2, 1.8 * (det.right - det.left)
    x0, y0 = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
    crop = rgb[y0:int(y0 + side), x0:int(x0 + side)]
    return cv2.resize(crop, (160, 160), interpolation=cv2.INTER_AREA)


def wall(size: tuple[int, int] = SIZE) -> np.ndarray:
    rng = np.random.default_rng(7)
    return cv2.GaussianBlur(rng.integers(70, 190, (*size, 3), dtype=np.uint8), (0, 0), 4)


def clip_frames(face: np.ndarray, shows: dict[int, tuple[int, int, int]], count: int = 40,
                size: tuple[int, int] = SIZE) -> list[np.ndarray]:
    """``count`` frames of a wall; on frame i in ``shows`` the face at (x, y), ``side`` px, as given."""
    base, frames = wall(size), []
    for i in range(count):
        rgb = base.copy()
        if i in shows:
            x, y, side = shows[i]
            patch = cv2.resize(face, (side, side), interpolation=cv2.INTER_AREA)
            rgb[y:y + side, x:x + side] = patch
        frames.append(rgb)
    return frames


def write(path, frames) -> str:
    from greenlight.media import write_video

    write_video(path, iter(frames), 30)
    return path


def who(result) -> list[tuple[str, int, int]]:
    return sorted((t.identity.subject_id or t.identity.kind.value, t.first_frame, t.last_frame) for t in result.tracks)


def both_ways(path, gallery, analyzer, monkeypatch):
    """The scan's tracks with the worker, then with the scan computing every pass itself."""
    ahead = scan_video(path, gallery, analyzer)
    monkeypatch.setattr(framefeed, "can_run_ahead", lambda: False)
    alone = scan_video(path, gallery, analyzer)
    monkeypatch.undo()
    assert multiprocessing.active_children() == []
    return who(ahead), who(alone)


CASES = {
    # frame → (x, y, side)
    "two frames": {17: (240, 100, 160), 18: (244, 100, 160)},
    "one frame after a sweep": {31: (300, 120, 160)},
}
SMALL_FLASH = {12: (100, 60, 48), 13: (102, 60, 48), 14: (104, 60, 48)}


@needs_two_cores
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_brief_appearance_is_found_with_the_worker_as_without(tmp_path, protected_gallery, analyzer, obama_face,
                                                                monkeypatch, case):
    path = write(tmp_path / "flash.mp4", clip_frames(obama_face, case))
    ahead, alone = both_ways(path, protected_gallery, analyzer, monkeypatch)
    assert ahead == alone
    assert ahead, "the scan found no face at all"


@needs_two_cores
def test_a_small_face_flashed_between_sweeps_is_found_alike_with_and_without_the_worker(
        tmp_path, protected_gallery, analyzer, obama_face, monkeypatch):
    path = write(tmp_path / "small.mp4", clip_frames(obama_face, SMALL_FLASH))
    ahead, alone = both_ways(path, protected_gallery, analyzer, monkeypatch)
    assert ahead == alone
    assert [sid for sid, *_ in ahead] == ["obama"]


def test_a_small_face_flashed_for_three_frames_between_sweeps_is_found(tmp_path, protected_gallery, analyzer,
                                                                       obama_face, monkeypatch):
    monkeypatch.setattr(framefeed, "can_run_ahead", lambda: False)
    path = write(tmp_path / "small.mp4", clip_frames(obama_face, SMALL_FLASH))
    assert [t.identity.subject_id for t in scan_video(path, protected_gallery, analyzer).tracks] == ["obama"]


def flash(start: int, frames: int, x: int, y: int, side: int) -> dict[int, tuple[int, int, int]]:
    """A face on screen for ``frames`` frames from ``start``, drifting 2 px a frame (none on a sweep frame)."""
    return {i: (x + 2 * (i - start), y, side) for i in range(start, start + frames)}


FLASHES = {
    f"{side} px in 640x360 for {frames}": (SIZE, flash(12, frames, 100 + side, 60, side))
    for side in (48, 30) for frames in (1, 3, 14)
} | {
    f"60 px in 1920x1080 for {frames}": ((1080, 1920), flash(12, frames, 1300, 700, 60)) for frames in (1, 3, 14)
}


@pytest.mark.parametrize("size, shows", FLASHES.values(), ids=FLASHES.keys())
def test_a_small_face_flashed_between_sweeps_is_found(tmp_path, protected_gallery, analyzer, obama_face,
                                                      monkeypatch, size, shows):
    monkeypatch.setattr(framefeed, "can_run_ahead", lambda: False)
    path = write(tmp_path / "flash.mp4", clip_frames(obama_face, shows, size=size))
    tracks = scan_video(path, protected_gallery, analyzer).tracks
    assert len(tracks) == 1 and tracks[0].first_frame == min(shows)
    if next(iter(shows.values()))[2] >= 48:  # a 30 px face is found, but too small for dlib to say whose: unknown
        assert tracks[0].identity.subject_id == "obama"


def test_a_still_shot_with_no_face_starts_no_track_and_few_extra_passes(tmp_path, protected_gallery, analyzer,
                                                                       monkeypatch):
    """Sensor noise on a static shot is no change: the scan must not tile every frame for it."""
    monkeypatch.setattr(framefeed, "can_run_ahead", lambda: False)
    rng = np.random.default_rng(11)
    base = wall().astype(np.int16)
    frames = [np.clip(base + rng.normal(0, 3, base.shape), 0, 255).astype(np.uint8) for _ in range(40)]
    path = write(tmp_path / "still.mp4", frames)
    before = analyzer.stats["spot_passes"]
    assert scan_video(path, protected_gallery, analyzer).tracks == ()
    assert analyzer.stats["spot_passes"] - before <= 2


@needs_two_cores
@pytest.mark.parametrize("turn", [1, 2, 3])
def test_a_face_turned_on_its_side_is_found_with_the_worker_as_without(tmp_path, protected_gallery, analyzer,
                                                                       obama_face, monkeypatch, turn):
    face = np.ascontiguousarray(np.rot90(obama_face, turn))
    path = write(tmp_path / "turned.mp4", clip_frames(face, {i: (240, 100, 160) for i in range(0, 40)}))
    ahead, alone = both_ways(path, protected_gallery, analyzer, monkeypatch)
    assert ahead == alone and ahead


@needs_two_cores
def test_a_20px_face_is_found_with_the_worker_as_without(tmp_path, protected_gallery, analyzer, obama_face,
                                                         monkeypatch):
    path = write(tmp_path / "tiny.mp4", clip_frames(obama_face, {i: (400, 200, 20) for i in range(40)}))
    ahead, alone = both_ways(path, protected_gallery, analyzer, monkeypatch)
    assert ahead == alone


@needs_two_cores
def test_a_stream_that_decodes_differently_in_the_worker_cannot_hide_a_face(protected_gallery, analyzer, obama_face):
    """The worker decodes the file again on its own: a file replaced between the two opens, or a stream whose
    decoding is not repeatable, gives it other pictures with the same frame numbers and the same cuts. Its
    passes must not stand for the frames the scan is on."""
    shown = [ArrayFrame(i, f) for i, f in enumerate(clip_frames(obama_face, {i: (240, 100, 160) for i in range(30)},
                                                                count=30))]
    decoy = [ArrayFrame(i, f) for i, f in enumerate(clip_frames(obama_face, {}, count=30))]
    alone = scan_frames_every(shown, analyzer, protected_gallery)
    with FrameFeed(lambda: decoy) as feed:
        ahead = scan_frames_every(shown, analyzer, protected_gallery, passes=feed)
    assert multiprocessing.active_children() == []
    assert [t.identity.subject_id for t in alone] == ["obama"]
    assert [(t.identity.subject_id, t.first_frame, t.last_frame) for t in ahead] == \
        [(t.identity.subject_id, t.first_frame, t.last_frame) for t in alone]


@pytest.mark.parametrize("body", [b"", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200, b"RIFF" + b"x" * 500])
def test_a_file_that_is_no_video_raises_and_leaves_no_process(tmp_path, protected_gallery, analyzer, body):
    path = tmp_path / "bad.mp4"
    path.write_bytes(body)
    with pytest.raises(MediaError, match="bad.mp4"):
        scan_video(path, protected_gallery, analyzer)
    assert multiprocessing.active_children() == []


@needs_two_cores
def test_a_video_cut_short_midway_raises_and_leaves_no_process(tmp_path, protected_gallery, analyzer, obama_face):
    path = write(tmp_path / "whole.mp4", clip_frames(obama_face, {i: (240, 100, 160) for i in range(40)}))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    try:
        scan_video(cut, protected_gallery, analyzer)
    except MediaError as error:
        assert "cut.mp4" in str(error)
    assert multiprocessing.active_children() == []


def write_uneven(path, frames) -> str:
    """An H.264 MP4 with three B-frames between references (decoded out of order) and a variable frame rate:
    a one-second hole before every seventh frame."""
    from fractions import Fraction

    import av

    tick = Fraction(1, 90000)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30, options={"bf": "3"})
        stream.width, stream.height, stream.pix_fmt = SIZE[1], SIZE[0], "yuv420p"
        stream.codec_context.time_base = stream.time_base = tick
        pts = 0
        for i, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = pts, tick
            pts += 90000 if i % 7 == 6 else 3000
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


@needs_two_cores
def test_b_frames_and_a_variable_frame_rate_give_the_worker_and_the_scan_the_same_frames(
        tmp_path, protected_gallery, analyzer, obama_face, monkeypatch):
    shows = {i: (240, 100, 160) for i in (5, 6, 17, 18, 19)}  # two flashes, across the holes after 6 and 13
    path = write_uneven(tmp_path / "uneven.mp4", clip_frames(obama_face, shows))
    ahead, alone = both_ways(path, protected_gallery, analyzer, monkeypatch)
    assert ahead == alone
    assert {who_ for who_, _, _ in ahead} == {"obama"}


# The changed area is looked at in crops around each changed patch (``framepass.spot_crops``), not in the
# sweep's whole tiles: these attacks try to put the face where a crop would not reach.


def panned_clip(face: np.ndarray, shows: dict[int, tuple[int, int, int]], count: int = 40, speed: int = 4,
                size: tuple[int, int] = SIZE) -> list[np.ndarray]:
    """A wall panned ``speed`` px a frame (every cell of the frame changes on every frame), with the face
    pasted on screen at (x, y), ``side`` px, on the frames in ``shows``."""
    height, width = size
    base = wall((height, width + speed * count))
    frames = []
    for i in range(count):
        rgb = np.ascontiguousarray(base[:, speed * i:speed * i + width])
        if i in shows:
            x, y, side = shows[i]
            rgb[y:y + side, x:x + side] = cv2.resize(face, (side, side), interpolation=cv2.INTER_AREA)
        frames.append(rgb)
    return frames


def slider(frames: list[np.ndarray], x: int, y: int, side: int = 40, speed: int = 3) -> list[np.ndarray]:
    """The frames with a bright square sliding down at (x, ...) on every frame: a change elsewhere."""
    out = []
    for i, rgb in enumerate(frames):
        rgb = rgb.copy()
        top = (y + speed * i) % (rgb.shape[0] - side)
        rgb[top:top + side, x:x + side] = 235
        out.append(rgb)
    return out


def found_once(tmp_path, name, frames, gallery, analyzer, monkeypatch, shown, named: bool = True):
    """One track, starting on one of the frames ``shown`` (whose), and nothing else."""
    monkeypatch.setattr(framefeed, "can_run_ahead", lambda: False)
    path = write(tmp_path / name, frames)
    tracks = scan_video(path, gallery, analyzer).tracks
    assert len(tracks) == 1 and tracks[0].first_frame in shown, \
        f"tracks: {[(t.first_frame, t.last_frame) for t in tracks]}"
    if named:
        assert tracks[0].identity.subject_id == "obama"


PANNED = {
    f"{side} px for 3 frames at ({x}, {y})": (side, flash(13, 3, x, y, side))
    for side, x, y in ((48, 520, 40), (30, 300, 200), (48, 20, 300))
}


@pytest.mark.parametrize("side, shows", PANNED.values(), ids=PANNED.keys())
def test_a_small_face_flashed_during_a_pan_is_found(tmp_path, protected_gallery, analyzer, obama_face, monkeypatch,
                                                    side, shows):
    """A pan changes every cell: the whole frame is busy, looked at one frame in three; a face on screen for
    three frames must still be found on one of them."""
    frames = panned_clip(obama_face, shows)
    found_once(tmp_path, "pan.mp4", frames, protected_gallery, analyzer, monkeypatch, shows, named=side >= 48)


CORNERS = {  # 48 px: a 30 px face in a corner scores 0.0-0.56 in the old tiles as in the crops (at the model's floor)
    f"{side} px for 1 frame at ({x}, {y})": (side, {14: (x, y, side)})
    for side, x, y in ((48, 0, 0), (48, 592, 312), (48, 562, 0), (48, 0, 312))
}


@pytest.mark.parametrize("side, shows", CORNERS.values(), ids=CORNERS.keys())
def test_a_small_face_flashed_for_one_frame_in_a_corner_is_found(tmp_path, protected_gallery, analyzer, obama_face,
                                                                 monkeypatch, side, shows):
    """A crop around a change at the frame's edge is shifted inside the frame: the face must stay in it."""
    frames = clip_frames(obama_face, shows)
    found_once(tmp_path, "corner.mp4", frames, protected_gallery, analyzer, monkeypatch, {14}, named=side >= 48)


@pytest.mark.parametrize("side", [30, 48])
def test_a_small_face_flashed_far_from_another_change_is_found_on_its_frame(tmp_path, protected_gallery, analyzer,
                                                                           obama_face, monkeypatch, side):
    """Something moves on every frame at the left edge; a face flashed for one frame at the right edge (a
    tile of its own, quiet before) is a second changed patch, with a crop of its own."""
    frames = slider(clip_frames(obama_face, {14: (600 - side, 150, side)}), 10, 20)
    found_once(tmp_path, "far.mp4", frames, protected_gallery, analyzer, monkeypatch, {14}, named=side >= 48)


def test_a_small_face_flashed_beside_a_moving_object_is_found(tmp_path, protected_gallery, analyzer, obama_face,
                                                              monkeypatch):
    """The face is flashed for three frames 10 px from a square that moves on every frame (so its tiles are
    busy, looked at one frame in three): one changed patch, whose crop must hold both."""
    shows = flash(13, 3, 300, 150, 30)
    frames = slider(clip_frames(obama_face, shows), 250, 20, speed=2)
    found_once(tmp_path, "beside.mp4", frames, protected_gallery, analyzer, monkeypatch, shows, named=False)


def test_a_small_face_flashed_during_a_pan_in_1080p_is_found(tmp_path, protected_gallery, analyzer, obama_face,
                                                             monkeypatch):
    shows = flash(13, 3, 1700, 950, 60)
    frames = panned_clip(obama_face, shows, size=(1080, 1920), speed=6, count=32)
    found_once(tmp_path, "pan1080.mp4", frames, protected_gallery, analyzer, monkeypatch, shows)
