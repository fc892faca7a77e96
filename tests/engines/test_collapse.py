"""The collapse engine on a tiny plate: repeatable, physically sane, mattes aligned with the beauty."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from greenlight.engines.base import EngineRequest, load_engine
from greenlight.engines.collapse.engine import CollapseEngine
from greenlight.engines.collapse.params import CollapseParams
from greenlight.engines.collapse.shot import Shot, prepare, render
from greenlight.engines.collapse.street import street_plate
from greenlight.media import load_image, probe_video, read_frames
from tests.engines.collapse_helpers import TINY, tiny_plate, with_collapse_entry_point


def frames_of(shot: Shot, plate: np.ndarray):
    return list(render(shot, iter([plate] * shot.frames)))


def tiny_shot(plate: np.ndarray, outline, seed: int, **more) -> Shot:
    from greenlight.engines.collapse.outline import polygon_mask

    params = CollapseParams.parse({**TINY, "outline": outline, **more})
    mask = polygon_mask(params.outline, plate.shape[1], plate.shape[0], "outline.json")
    frames = params.start_frame + int(round(params.duration * params.fps))
    return prepare(Shot(params, plate, plate[::-1].copy(), mask, params.fps, frames, seed), lambda f: None)


def test_the_engine_is_found_through_its_entry_point(monkeypatch):
    with_collapse_entry_point(monkeypatch)
    engine = load_engine("collapse")
    assert isinstance(engine, CollapseEngine)
    assert engine.info.source_type.endswith("/algorithmicMedia")


def test_same_seed_same_frames_other_seed_other_frames():
    plate, outline = street_plate(160, 90)
    first = frames_of(tiny_shot(plate, outline, seed=5), plate)
    again = frames_of(tiny_shot(plate, outline, seed=5), plate)
    other = frames_of(tiny_shot(plate, outline, seed=6), plate)
    assert len(first) == 12
    for a, b in zip(first, again, strict=True):
        assert np.array_equal(a.beauty, b.beauty)
        assert all(np.array_equal(a.mattes[n], b.mattes[n]) for n in a.mattes)
    assert any(not np.array_equal(a.beauty, c.beauty) for a, c in zip(first, other, strict=True))


@pytest.mark.parametrize("direction", ["pancake", "left", "toward-camera"])
def test_pieces_end_at_rest_below_where_they_started_and_above_the_ground(direction):
    plate, outline = street_plate(320, 180)
    shot = tiny_shot(plate, outline, seed=2, duration=9.0, fps=4.0, pieces=40, direction=direction)
    motion = shot.motion
    end = motion.position[-1]
    assert motion.released[-1].all()
    assert (end[:, 1] < motion.rest[:, 1]).all()  # every piece came down
    assert (end[:, 1] > -0.05).all()  # none went through the ground
    assert np.median(motion.speed[-1]) < 0.5  # the rubble has settled
    if direction == "pancake":
        height = motion.rest[:, 1].max()
        # Nothing left standing: the tallest piece of the rubble is well below the old roofline.
        assert end[:, 1].max() < 0.45 * height


def test_the_beauty_differs_from_the_plate_only_where_a_matte_says_so():
    plate, outline = street_plate(160, 90)
    shot = tiny_shot(plate, outline, seed=3, shake=0.0)
    changed_somewhere = False
    for frame in frames_of(shot, plate):
        differs = np.abs(frame.beauty.astype(int) - plate.astype(int)).max(axis=2) > 0
        covered = np.zeros(differs.shape, bool)
        for matte in frame.mattes.values():
            assert matte.shape == differs.shape and matte.dtype == np.uint8
            covered |= matte > 0
        assert not (differs & ~covered).any(), f"frame {frame.index} changed pixels no matte covers"
        changed_somewhere |= bool(differs.any())
    assert changed_somewhere
    first = frames_of(shot, plate)[0]
    assert np.array_equal(first.beauty, plate)  # before the failure the plate is untouched


def test_camera_shake_moves_the_frame_on_impacts():
    plate, outline = street_plate(160, 90)
    still = frames_of(tiny_shot(plate, outline, seed=3, shake=0.0, dust=0.0, debris=0.0), plate)
    shaken = frames_of(tiny_shot(plate, outline, seed=3, shake=40.0, dust=0.0, debris=0.0), plate)
    outside = tiny_shot(plate, outline, seed=3).mask
    assert np.array_equal(still[0].beauty, shaken[0].beauty)  # nothing has hit anything yet
    moved = [np.abs(a.beauty.astype(int) - b.beauty.astype(int))[~outside].max() for a, b in zip(still, shaken,
                                                                                                  strict=True)]
    assert max(moved) > 10


def test_the_engine_writes_a_beauty_clip_and_four_matte_clips(tmp_path):
    plate_path, outline = tiny_plate(tmp_path)
    params = {**TINY, "outline": outline, "outline_file": "outline.json", "png_frames": True}
    outputs = CollapseEngine().run(EngineRequest((plate_path,), params, seed=1), tmp_path / "work", lambda f, m: None)
    roles = [o.role for o in outputs]
    assert roles[:5] == ["beauty", "matte-pieces", "matte-debris", "matte-dust", "matte-revealed"]
    assert roles[5:] == ["frame"] * 12
    for output in outputs[:5]:
        info = probe_video(output.path)
        assert (info.width, info.height, info.frame_count) == (160, 90, 12)
    assert load_image(outputs[5].path).shape == (90, 160, 3)
    last = [f for _, f in read_frames(outputs[0].path)][-1]
    assert np.abs(last.astype(int) - load_image(plate_path).astype(int)).mean() > 3  # the shot really changed


def test_a_clip_plate_keeps_its_length_and_its_audio(tmp_path):
    from fractions import Fraction

    from greenlight.media import write_video
    from tests.media.test_video import _source

    rgb, outline = street_plate(160, 90)
    sound = _source(tmp_path / "sound.mp4", "aac", Fraction(2), 14, 7.0)
    clip = write_video(tmp_path / "plate.mp4", [rgb] * 14, fps=2, audio_from=sound)
    params = {**TINY, "outline": outline}
    outputs = CollapseEngine().run(EngineRequest((Path(clip),), params, seed=1), tmp_path / "work", lambda f, m: None)
    beauty = probe_video(outputs[0].path)
    assert beauty.frame_count == 14  # the clip is longer than start + duration
    assert beauty.has_audio and not probe_video(outputs[1].path).has_audio  # the sound goes with the beauty
