"""The frame passes computed ahead in a worker process: the same tracks, the same errors, no process left."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data

from greenlight.errors import MediaError
from greenlight.likeness import framefeed
from greenlight.likeness.framefeed import FrameFeed
from greenlight.likeness.framepass import FramePasser, passes_on
from greenlight.likeness.frames import ArrayFrame
from greenlight.likeness.scan import scan_video

needs_two_cores = pytest.mark.skipif(not framefeed.can_run_ahead(), reason="no second core or no fork here")


def _frames(count: int = 55, shift: int = 0) -> list[ArrayFrame]:
    """A face drifting over a textured wall, with a cut at frame 20 (a second face, turned on its side)."""
    rng = np.random.default_rng(3)
    wall = cv2.GaussianBlur(rng.integers(60, 200, (240, 320, 3), dtype=np.uint8), (0, 0), 3)
    face = cv2.resize(data.astronaut()[40:220, 130:310], (110, 110), interpolation=cv2.INTER_AREA)
    frames = []
    for i in range(count):
        rgb = (wall if i < 20 else wall // 3).copy()
        x = 40 + 3 * i % 150
        rgb[60:170, x:x + 110] = face if i < 20 else np.rot90(face)
        frames.append(ArrayFrame(i + shift, rgb))
    return frames


def _same(a, b) -> bool:
    return (a.index, a.cut, a.swept is None, a.candidates, a.spots) == (
        b.index, b.cut, b.swept is None, b.candidates, b.spots) and all(
        _det(x) == _det(y) for x, y in zip((*a.found, *(a.swept or ()), *a.spotted),
                                           (*b.found, *(b.swept or ()), *b.spotted), strict=True))


def _det(d) -> tuple:
    return (d.left, d.top, d.right, d.bottom, d.score, d.keypoints.tobytes())


def _reference(frames) -> list:
    passer = FramePasser()
    return [passer.run(f) for f in frames]


def _take(feed: FrameFeed, frames) -> list:
    schedule = FramePasser().schedule
    return [feed(f, *schedule.next(f.index, f.gray())) for f in frames]


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"  # a zombie waiting for init is gone too
    except FileNotFoundError:
        return True


@needs_two_cores
def test_passes_from_the_worker_are_the_ones_computed_here():
    frames = _frames()
    reference = _reference(frames)
    assert any(p.cut for p in reference[1:]) and sum(p.swept is not None for p in reference) == 3
    assert sum(len(p.found) for p in reference) >= 40 and any(p.swept for p in reference)
    with FrameFeed(lambda: frames) as feed:
        taken = _take(feed, frames)
    assert feed.taken == len(frames)
    assert all(_same(a, b) for a, b in zip(reference, taken, strict=True))
    assert multiprocessing.active_children() == []


@needs_two_cores
def test_a_worker_out_of_step_is_dropped_and_the_passes_computed_here():
    frames = _frames(12)
    with FrameFeed(lambda: _frames(12, shift=1)) as feed:  # its frames are numbered one off
        taken = _take(feed, frames)
    assert feed.taken == 0
    assert all(_same(a, b) for a, b in zip(_reference(frames), taken, strict=True))
    assert multiprocessing.active_children() == []


@needs_two_cores
def test_a_worker_that_fails_midway_leaves_the_rest_to_the_scan():
    frames = _frames(12)

    def failing():
        yield from frames[:5]
        raise MediaError("clip.mp4: truncated")

    with FrameFeed(failing) as feed:
        taken = _take(feed, frames)
    assert feed.taken == 5
    assert all(_same(a, b) for a, b in zip(_reference(frames), taken, strict=True))


@needs_two_cores
def test_scan_with_the_worker_gives_the_same_tracks_as_alone(clip, gallery, clip_keyframe, monkeypatch):
    assert clip_keyframe.stats["passes_ahead"] == clip.frame_count  # the session's scan of the clip used the worker
    from greenlight.likeness.faces import FaceAnalyzer

    monkeypatch.setattr(framefeed, "can_run_ahead", lambda: False)
    analyzer = FaceAnalyzer()
    alone = scan_video(clip.path, gallery, analyzer)
    assert analyzer.stats["passes_ahead"] == 0
    assert alone.tracks == clip_keyframe.result.tracks


@needs_two_cores
def test_truncated_video_gives_the_same_error_and_no_process_is_left(tmp_path, gallery, analyzer, clip):
    cut = tmp_path / "cut.mp4"
    data_bytes = clip.path.read_bytes()
    cut.write_bytes(data_bytes[: len(data_bytes) // 2])
    with pytest.raises(MediaError, match="cut.mp4") as ahead:
        scan_video(cut, gallery, analyzer)
    assert multiprocessing.active_children() == []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(framefeed, "can_run_ahead", lambda: False)
        with pytest.raises(MediaError) as alone:
            scan_video(cut, gallery, analyzer)
    assert str(ahead.value) == str(alone.value)


@needs_two_cores
def test_an_interrupted_scan_stops_its_worker(gallery, analyzer, clip):
    pids = []

    def progress(done, total):
        pids.extend(p.pid for p in multiprocessing.active_children())
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scan_video(clip.path, gallery, analyzer, progress)
    assert pids and multiprocessing.active_children() == []
    assert all(_gone(pid) for pid in set(pids))


_KILLED = """
import os, signal, sys, time
from greenlight.likeness.framefeed import FrameFeed
from greenlight.likeness.frames import ArrayFrame
import numpy as np

def slow():  # a decoder stuck on its first frame: only the parent-death signal ends this worker
    time.sleep(300)
    yield ArrayFrame(0, np.zeros((64, 64, 3), np.uint8))

feed = FrameFeed(slow)
print(feed._process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@needs_two_cores
def test_a_killed_scan_takes_its_worker_with_it(tmp_path):
    src = Path(__file__).resolve().parents[2] / "src"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]))
    out = tmp_path / "pid.txt"
    with out.open("w") as stdout:  # a file, not a pipe: the worker holds it too while it lives
        done = subprocess.run([sys.executable, "-c", _KILLED], env=env, stdout=stdout, timeout=120)
    assert done.returncode == -signal.SIGKILL
    pid = int(out.read_text().split()[0])
    deadline = time.monotonic() + 10
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(pid)


def test_without_a_second_core_the_scan_computes_every_pass_itself(monkeypatch):
    monkeypatch.setattr(framefeed, "can_run_ahead", lambda: False)
    with framefeed.frame_feed(lambda: iter(())) as feed:
        assert feed is None
    frame = _frames(1)[0]
    assert _same(passes_on(frame, True, True), _reference([frame])[0])


def test_a_tile_that_changes_on_every_frame_is_offered_on_every_third_frame_only():
    """A pan changes every tile on every frame: each is tiled on its first changed frame, then one frame in
    three (``BUSY_EVERY``), so that a face on screen for three frames is tiled on one of them at least."""
    from greenlight.likeness.framepass import BUSY_EVERY, Spotter

    rng = np.random.default_rng(5)
    spotter = Spotter()
    offered = [spotter.next(i, rng.integers(0, 255, (360, 640), dtype=np.uint8)) for i in range(1, 13)]
    assert offered[0] is None  # the first frame has nothing to compare with
    counts = [len(c.tiles) for c in offered[1:]]
    assert counts[0] == 2  # 640x360 has two tiles; both changed for the first time
    assert all(n == (2 if i % BUSY_EVERY == 0 else 0) for i, n in enumerate(counts[1:], start=3))


def test_a_changed_patch_is_looked_at_in_a_crop_that_holds_any_face_it_may_be():
    """A change in one cell gets a crop reaching ``SPOT_REACH`` of the long side around it (a face up to that
    size touching the cell lies wholly inside), within the frame; change everywhere gets the whole frame."""
    from greenlight.likeness.framepass import SPOT_REACH, Change, spot_crops, spot_regions

    height, width = 360, 640
    tiles = tuple(spot_regions(height, width))
    for row, col in [(0, 0), (44, 79), (20, 40), (44, 0)]:
        mask = np.zeros((45, 80), bool)
        mask[row, col] = True
        [(x0, y0, x1, y1, model)] = spot_crops(Change(mask, tiles), (), height, width)
        reach = SPOT_REACH * width
        cx, cy = col * 8, row * 8
        assert model == "back" and x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height
        assert x0 <= max(0, cx - reach) and x1 >= min(width, cx + 8 + reach)
        assert y0 <= max(0, cy - reach) and y1 >= min(height, cy + 8 + reach)
        assert (x1 - x0) * (y1 - y0) < width * height  # a patch costs less than the frame
    assert spot_crops(Change(np.ones((45, 80), bool), tiles), (), height, width) == ((0, 0, width, height, "back"),)
    assert spot_crops(Change(np.ones((45, 80), bool), ()), (), height, width) == ()  # no tile offered: none


def test_a_crop_run_at_the_tiles_scale_sees_what_the_tile_sees():
    """``detect_at`` on a square tile gives the letterboxed pass's detections (the same input; the decoding
    differs in rounding only)."""
    from greenlight.likeness import blazeface

    frame = _frames(1)[0].rgb()
    tile = np.ascontiguousarray(cv2.resize(frame, (444, 444)))
    a, b = blazeface.detect(tile, "back", 0.3), blazeface.detect_at(tile, "back", 256 / 444, 0.3)
    assert a and len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.score == y.score
        assert np.allclose([x.left, x.top, x.right, x.bottom], [y.left, y.top, y.right, y.bottom], atol=1e-4)
        assert np.allclose(x.keypoints, y.keypoints, atol=1e-4)
