"""The de-aging engine end to end, on real faces: skimage's astronaut, and the sample faces and clips.

What must hold: wrinkle energy drops in the skin; eyes and lips are left alone; nobody but the
talent is touched (bit for bit); the talent stays the same person; a clip keeps its frame count,
rate, size and sound; bad requests are refused with a reason.
"""

import threading
from pathlib import Path

import numpy as np
import pytest
from skimage import data

from greenlight.domain import SubjectKind
from greenlight.engines.base import EngineRequest
from greenlight.engines.deage import DeageEngine
from greenlight.engines.deage.geometry import EYE_L, EYE_R, LIPS_OUTER, box_from_landmarks
from greenlight.engines.deage.metrics import aligned_difference, identity_distance, skin_core, wrinkle_energy
from greenlight.engines.deage.tracking import FaceTracker, talent_distance
from greenlight.errors import InvalidInput, MediaError
from greenlight.likeness import reference_from_photo
from greenlight.media import load_image, probe_video, read_frames, save_image, write_video
from tests.conftest import CLIPS


@pytest.fixture(scope="module")
def engine() -> DeageEngine:
    return DeageEngine()


@pytest.fixture(scope="module")
def astronaut(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("in") / "astronaut.png"
    return save_image(path, data.astronaut())


@pytest.fixture(scope="module")
def astronaut_talent(engine, tmp_path_factory) -> np.ndarray:
    # Enrolled from the mirrored photo: the same person, not the same pixels.
    path = save_image(tmp_path_factory.mktemp("ref") / "mirrored.png", np.ascontiguousarray(data.astronaut()[:, ::-1]))
    return np.asarray(reference_from_photo(path, SubjectKind.TALENT, "eileen", engine.analyzer).embedding)[None]


def _request(path: Path, talent: np.ndarray, years: int = 20, **params) -> EngineRequest:
    return EngineRequest(inputs=(path,), params={"talent_id": "t1", "years": years, **params},
                         likeness={"t1": tuple(map(tuple, talent))})


def _polygon(shape, pts) -> np.ndarray:
    import cv2

    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(pts).astype(np.int32)], 1)
    return m.astype(bool)


def test_info_says_what_the_engine_does(engine):
    info = engine.info
    assert (info.name, info.action, info.likeness_use) == ("deage", "c2pa.edited", "digital-alteration")
    assert info.source_type.endswith("/compositeWithTrainedAlgorithmicMedia")


def test_check_inputs_refuses_bad_requests(engine, astronaut, astronaut_talent, tmp_path):
    engine.check_inputs(_request(astronaut, astronaut_talent))
    with pytest.raises(InvalidInput, match="years=31"):
        engine.check_inputs(_request(astronaut, astronaut_talent, years=31))
    with pytest.raises(InvalidInput, match="years=4"):
        engine.check_inputs(_request(astronaut, astronaut_talent, years=4))
    with pytest.raises(InvalidInput, match="no enrolled embeddings for talent 't1'"):
        engine.check_inputs(EngineRequest(inputs=(astronaut,), params={"talent_id": "t1", "years": 20}))
    with pytest.raises(InvalidInput, match="no input"):
        engine.check_inputs(EngineRequest(inputs=(), params={"talent_id": "t1", "years": 20},
                                          likeness={"t1": ((0.0,) * 128,)}))
    with pytest.raises(MediaError, match="no such file"):
        engine.check_inputs(_request(tmp_path / "missing.mp4", astronaut_talent))
    text = tmp_path / "notes.png"
    text.write_text("not a picture\n")
    with pytest.raises(MediaError, match="notes.png"):
        engine.check_inputs(_request(text, astronaut_talent))
    cut = tmp_path / "cut.png"
    cut.write_bytes(astronaut.read_bytes()[:5000])
    with pytest.raises(MediaError, match="cut.png"):
        engine.check_inputs(_request(cut, astronaut_talent))


def test_talent_not_in_the_picture_is_an_error(engine, astronaut, astronaut_talent, tmp_path):
    with pytest.raises(InvalidInput, match="no face of talent 't1'"):
        engine.run(_request(astronaut, -astronaut_talent), tmp_path, lambda f, m: None)


def test_still_is_de_aged_and_only_the_face(engine, astronaut, astronaut_talent, tmp_path):
    seen = []
    [out] = engine.run(_request(astronaut, astronaut_talent), tmp_path, lambda f, m: seen.append(f))
    assert out.media == "image" and out.path.suffix == ".png" and out.path.parent == tmp_path
    assert seen[-1] == 1.0 and seen == sorted(seen)
    src, res = load_image(astronaut), load_image(out.path)
    assert res.shape == src.shape
    analyzer = engine.analyzer
    box = min(analyzer.detect(src), key=lambda b: talent_distance(analyzer.embed(src, b), astronaut_talent))
    pts = analyzer.landmarks(src, box)
    region = skin_core(src.shape[:2], pts)
    assert wrinkle_energy(res, pts, region) < 0.7 * wrinkle_energy(src, pts, region)
    assert identity_distance(analyzer, src, res, box) <= 0.35
    for feature in (EYE_R, EYE_L, LIPS_OUTER):
        inside = _polygon(src.shape[:2], pts[feature])
        assert np.array_equal(res[inside], src[inside]), "eyes and lips must be left exactly as shot"
    changed = np.argwhere(np.any(res != src, axis=-1))
    (top, left), (bottom, right) = changed.min(axis=0), changed.max(axis=0)
    # Only around the face (forehead, jaw, feathering); the mission patch and the suit are untouched.
    assert box.left - 0.4 * box.width < left and right < box.right + 0.4 * box.width
    assert box.top - 0.6 * box.height < top and bottom < box.bottom + 0.4 * box.height


def test_more_years_take_more_lines_away(engine, astronaut, astronaut_talent, tmp_path):
    src = load_image(astronaut)
    analyzer = engine.analyzer
    box = min(analyzer.detect(src), key=lambda b: talent_distance(analyzer.embed(src, b), astronaut_talent))
    pts = analyzer.landmarks(src, box)
    energies = []
    for years in (5, 30):
        [out] = engine.run(_request(astronaut, astronaut_talent, years, reshape=False), tmp_path / str(years),
                           lambda f, m: None)
        energies.append(wrinkle_energy(load_image(out.path), pts))
    assert wrinkle_energy(src, pts) > energies[0] > energies[1]


def test_another_person_in_the_frame_is_untouched(engine, faces, two_shot, tmp_path):
    analyzer = engine.analyzer
    obama = np.asarray(reference_from_photo(faces / "obama" / "obama2.jpg", SubjectKind.TALENT, "o",
                                            analyzer).embedding)[None]
    scene = two_shot  # Barack Obama (the talent here) beside Joe Biden
    [out] = engine.run(_request(scene, obama), tmp_path, lambda f, m: None)
    src, res = load_image(scene), load_image(out.path)
    boxes = sorted(analyzer.detect(src), key=lambda b: talent_distance(analyzer.embed(src, b), obama))
    talent_box, other = boxes[0], boxes[-1]
    crop = np.s_[other.top : other.bottom, other.left : other.right]
    assert np.array_equal(res[crop], src[crop]), "the other person's face must be bit-identical"
    assert not np.array_equal(res[talent_box.top : talent_box.bottom, talent_box.left : talent_box.right],
                              src[talent_box.top : talent_box.bottom, talent_box.left : talent_box.right])
    assert identity_distance(analyzer, src, res, talent_box) <= 0.35


# Who faces the camera on frames 100–129 of each clip, and the photo they are enrolled from.
TALENT_PHOTOS = {"built": "eileen_collins/eileen_collins1.png",
                 "hamilton": "lin_manuel_miranda/lin_manuel_miranda1.png"}


@pytest.fixture(scope="module", params=CLIPS)
def short_clip(request, faces, tmp_path_factory) -> tuple[Path, Path]:
    """30 frames of a sample clip where the talent faces the camera, with its sound; their photo."""
    clip = request.getfixturevalue("cast_clip" if request.param == "built" else "real_clip").path
    frames = (rgb for i, rgb in read_frames(clip) if 100 <= i < 130)
    cut = write_video(tmp_path_factory.mktemp("clip") / "cut.mp4", frames, probe_video(clip).fps, audio_from=clip)
    return cut, faces / TALENT_PHOTOS[request.param]


def test_clip_keeps_frames_rate_size_sound_identity_and_is_steady(engine, short_clip, tmp_path):
    analyzer = engine.analyzer
    short_clip, photo = short_clip
    lin = np.asarray(reference_from_photo(photo, SubjectKind.TALENT, "lin", analyzer).embedding)[None]
    calls = []
    [out] = engine.run(_request(short_clip, lin), tmp_path,
                       lambda f, m: calls.append((f, threading.get_ident())))
    assert out.media == "video" and out.notes["tracks"]
    assert [f for f, _ in calls] == sorted(f for f, _ in calls) and calls[-1][0] == 1.0
    assert {t for _, t in calls} == {threading.get_ident()}, "progress must come from the caller's thread"
    before, after = probe_video(short_clip), probe_video(out.path)
    assert (after.width, after.height, after.frame_count) == (before.width, before.height, 30)
    assert after.fps == pytest.approx(before.fps, abs=1e-3) and after.has_audio
    tracker = FaceTracker(analyzer, lin, keyframe_every=8)
    frames = list(zip(read_frames(short_clip), read_frames(out.path), strict=True))
    for (i, a), _ in frames:
        tracker.step(i, a)
    [track] = tracker.talent_tracks(30)
    flicker_src, flicker_out = [], []
    for k in range(1, len(track.points)):
        i = track.start + k
        (_, a0), (_, b0) = frames[i - 1]
        (_, a1), (_, b1) = frames[i]
        region = skin_core(a1.shape[:2], track.points[k])
        flicker_src.append(aligned_difference(a0, a1, track.points[k - 1], track.points[k], region))
        flicker_out.append(aligned_difference(b0, b1, track.points[k - 1], track.points[k], region))
    assert np.mean(flicker_out) <= np.mean(flicker_src) * 1.05, "the de-aged face must not flicker more"
    (_, a), (_, b) = frames[15]
    box = box_from_landmarks(track.points[15 - track.start], a.shape[1], a.shape[0])
    assert identity_distance(analyzer, a, b, box) <= 0.35
