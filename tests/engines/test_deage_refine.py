"""The generative pass of de-aging (``engines/deage/refine``) on the tiny random Stable Diffusion, offline.

What must hold: the same seed gives the same picture; the change is laid on the skin only (eyes, lips,
hair beyond the face and background stay as the classical pass left them); between keyframes the change
moves with the face and eases from one keyframe's to the next, so it never jumps; bad parameters are
refused with a reason. The model's weights are random, so nothing here says the face looks younger.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from skimage import data

from greenlight.domain import SubjectKind
from greenlight.engines.base import EngineRequest
from greenlight.engines.deage import DeageEngine
from greenlight.engines.deage.geometry import EYE_L, EYE_R, LIPS_OUTER
from greenlight.engines.deage.refine import DiffusionRefiner, FaceModel, RefineSettings, age_prompt
from greenlight.engines.deage.tracking import talent_distance
from greenlight.engines.previz.models import ModelFolderError, check_folder, content_hash
from greenlight.errors import InvalidInput
from greenlight.likeness import reference_from_photo
from greenlight.media import load_image, save_image


@pytest.fixture(scope="module")
def engine() -> DeageEngine:
    return DeageEngine()


@pytest.fixture(scope="module")
def astronaut(tmp_path_factory) -> Path:
    return save_image(tmp_path_factory.mktemp("in") / "astronaut.png", data.astronaut())


@pytest.fixture(scope="module")
def talent(engine, tmp_path_factory) -> np.ndarray:
    path = save_image(tmp_path_factory.mktemp("ref") / "mirrored.png", np.ascontiguousarray(data.astronaut()[:, ::-1]))
    return np.asarray(reference_from_photo(path, SubjectKind.TALENT, "eileen", engine.analyzer).embedding)[None]


def model_params(folder: Path) -> dict:
    check = check_folder(folder)
    return {"model": "tiny", "model_sha256": content_hash(check), "model_fingerprint": check.fingerprint,
            "model_dir": str(folder)}


def request(path: Path, talent: np.ndarray, seed: int = 0, **params) -> EngineRequest:
    return EngineRequest((path,), {"talent_id": "t1", "years": 20, **params}, seed, {"t1": tuple(map(tuple, talent))})


def run(engine, req: EngineRequest, folder: Path) -> np.ndarray:
    [out] = engine.run(req, folder, lambda f, m: None)
    return load_image(out.path)


def _inside(shape, pts) -> np.ndarray:
    import cv2

    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(pts).astype(np.int32)], 1)
    return m.astype(bool)


def test_same_seed_same_still_and_the_change_stays_on_the_skin(engine, astronaut, talent, tiny_model_source,
                                                                 tmp_path):
    tiny = model_params(tiny_model_source)
    classical = run(engine, request(astronaut, talent, seed=9), tmp_path / "c")
    first = run(engine, request(astronaut, talent, seed=9, **tiny, steps=4), tmp_path / "a")
    again = run(engine, request(astronaut, talent, seed=9, **tiny, steps=4), tmp_path / "b")
    other = run(engine, request(astronaut, talent, seed=10, **tiny, steps=4), tmp_path / "d")
    assert np.array_equal(first, again)
    assert np.any(first != other, axis=-1).sum() > 500
    refined = np.any(first != classical, axis=-1)
    assert refined.sum() > 2000  # the pass did something
    src = load_image(astronaut)
    box = min(engine.analyzer.detect(src), key=lambda b: talent_distance(engine.analyzer.embed(src, b), talent))
    pts = engine.analyzer.landmarks(src, box)
    for feature in (EYE_R, EYE_L, LIPS_OUTER):
        inside = _inside(src.shape[:2], pts[feature])
        assert not refined[inside].any(), "eyes and lips are not skin: the model may not paint on them"
    rows, cols = np.nonzero(refined)
    # Inside the face: the mission patch, the suit and the flag are untouched.
    assert box.left - 0.3 * box.width < cols.min() and cols.max() < box.right + 0.3 * box.width
    assert box.top - 0.6 * box.height < rows.min() and rows.max() < box.bottom + 0.3 * box.height


def test_generative_parameters_are_checked(engine, astronaut, talent, tiny_model_source):
    tiny = model_params(tiny_model_source)
    engine.check_inputs(request(astronaut, talent, **tiny, age=50))
    for bad, match in [({"strength": 0.0}, "strength"), ({"strength": 1.5}, "strength"), ({"steps": 0}, "steps"),
                       ({"strength": 0.05, "steps": 10}, "runs no step"), ({"age": 20}, "age 20"),
                       ({"age": "old"}, "age"), ({"device": "tpu"}, "device"),
                       ({"guidance": -1}, "guidance")]:
        with pytest.raises(InvalidInput, match=match):
            engine.check_inputs(request(astronaut, talent, **tiny, **bad))
    with pytest.raises(InvalidInput, match="model_dir missing"):
        engine.check_inputs(request(astronaut, talent, **{**tiny, "model_dir": ""}))


def test_a_folder_changed_since_registration_is_refused_before_the_run(engine, astronaut, talent, tiny_model):
    tiny = model_params(tiny_model)
    (tiny_model / "scheduler" / "scheduler_config.json").write_text("{}")
    with pytest.raises(ModelFolderError, match="changed since it was registered"):
        engine.check_inputs(request(astronaut, talent, **tiny))


def test_the_prompt_names_the_target_age_when_the_age_is_known():
    assert "about 28 years old" in age_prompt(20, 48)
    assert "20 years younger" in age_prompt(20, None)


@pytest.fixture(scope="module")
def face(engine, astronaut, talent):
    """The astronaut's face crop (float RGB), its landmarks in the crop, and a skin matte of ones."""
    src = load_image(astronaut)
    box = min(engine.analyzer.detect(src), key=lambda b: talent_distance(engine.analyzer.embed(src, b), talent))
    pts = engine.analyzer.landmarks(src, box)
    top, left = max(0, box.top - 60), max(0, box.left - 40)
    crop = src[top : box.bottom + 40, left : box.right + 40].astype(np.float32) / 255.0
    return crop, pts - np.array([left, top]), np.ones(crop.shape[:2], np.float32)


class CountingModel(FaceModel):
    """The tiny model, counting the frames it is run on."""

    def __init__(self, loaded) -> None:
        super().__init__(loaded)
        self.runs = 0

    def change(self, aligned, settings):
        self.runs += 1
        return super().change(aligned, settings)


@pytest.fixture(scope="module")
def model(tiny_model_source) -> CountingModel:
    from greenlight.engines.previz.pipeline import load_pipeline

    return CountingModel(load_pipeline(tiny_model_source, "cpu", image_to_image=True))


def settings(every: int) -> RefineSettings:
    return RefineSettings(age_prompt(20, None), "", 0.5, 4, 7.5, seed=1, every=every)


def test_between_keyframes_the_change_eases_instead_of_jumping(model, face):
    crop, pts, skin = face
    refiner = DiffusionRefiner(model, settings(every=3))
    before = model.runs
    changes = []
    for i in range(7):
        classical = np.clip(crop + 0.03 * i, 0.0, 1.0)  # the light changes: each keyframe's change differs
        changes.append(refiner(crop, classical, pts, skin * 0.3, 1.0) - classical)
    assert model.runs - before == 3  # frames 0, 3 and 6
    steps = [float(np.abs(b - a).mean()) for a, b in zip(changes, changes[1:], strict=False)]
    whole = float(np.abs(changes[5] - changes[2]).mean())  # keyframe 0's change to keyframe 3's
    assert whole > 1e-3
    assert max(steps) < 0.5 * whole  # eased over three frames, not one jump


def test_between_keyframes_the_change_moves_with_the_face(model, face):
    import cv2

    crop, pts, skin = face
    refiner = DiffusionRefiner(model, settings(every=100))  # only the first frame is refined
    first = refiner(crop, crop, pts, skin * 0.3, 1.0) - crop
    shift = np.float32([[1, 0, 6], [0, 1, 4]])
    h, w = crop.shape[:2]
    moved = cv2.warpAffine(crop, shift, (w, h), borderMode=cv2.BORDER_REFLECT101)
    carried = refiner(moved, moved, pts + [6, 4], skin * 0.3, 1.0) - moved
    expected = cv2.warpAffine(first, shift, (w, h))
    inner = (slice(20, h - 20), slice(20, w - 20))
    error = float(np.abs(carried[inner] - expected[inner]).mean())
    unmoved = float(np.abs(carried[inner] - first[inner]).mean())
    assert error < 0.2 * unmoved  # the change followed the landmarks, 6 px right and 4 down
