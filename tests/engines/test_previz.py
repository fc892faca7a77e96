"""The previz engine end to end, offline, on a tiny random Stable Diffusion built from configs.

What must hold: a registered model folder gives signed, watermarked, do-not-train concept frames in
review, each naming the model's hash and its own seed; the same seed gives the same image and another
seed another; a reference image steers image-to-image; the contact sheet shows every variation.
"""

from __future__ import annotations

import numpy as np
import pytest

from greenlight.domain import Job, JobState
from greenlight.engines.base import EngineRequest, load_engine
from greenlight.errors import InvalidInput
from greenlight.media import load_image, save_image
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import submit
from tests.engines.previz_kit import BRIEF, PRODUCTION, previz_params


def run_engine(studio, tmp_path, seed: int = 0, inputs=(), name: str = "out", **overrides) -> list:
    engine = load_engine("previz")
    request = EngineRequest(tuple(inputs), previz_params(studio.model, **overrides), seed)
    outputs = engine.run(request, tmp_path / name, lambda f, m: None)
    return [load_image(o.path) for o in outputs if o.role == "variation"]


def test_the_engine_is_a_generator_under_previs_consent():
    info = load_engine("previz").info
    assert (info.likeness_use, info.action) == ("previs", "c2pa.created")
    assert info.source_type.endswith("/trainedAlgorithmicMedia")


def test_a_brief_becomes_signed_frames_in_review_naming_the_model_and_each_seed(previz_studio):
    from greenlight.provenance import read_manifest
    from greenlight.runtime.signing import trust_root

    studio = previz_studio
    job = submit(studio, "previz", previz_params(studio.model), [], PRODUCTION, "artist", seed=41)
    assert job.params["model_sha256"] == studio.model.sha256
    job = LocalExecutor(studio).run(job.id)
    assert job.state is JobState.IN_REVIEW, job.history[-1].note
    with studio.transaction() as tx:
        assets = tx.registry.job_assets(job.id)
    assert len(assets) == 3  # two variations and their contact sheet
    seeds = []
    for asset in assets:
        report = read_manifest(studio.home / asset.path, trust_root(studio))
        assert report.state == "trusted", report
        assert report.job.model == f"tiny (sha256:{studio.model.sha256})"
        assert report.do_not_train
        assert report.actions[-1].digital_source_type.endswith("/trainedAlgorithmicMedia")
        seeds.append(report.job.seed)
        assert asset.mark  # watermarked
    assert sorted(seeds) == [41, 41, 42]  # each variation its own seed; the sheet the job's


def test_the_same_seed_gives_the_same_frames_and_another_seed_others(previz_studio, tmp_path):
    first = run_engine(previz_studio, tmp_path, seed=7, name="a")
    again = run_engine(previz_studio, tmp_path, seed=7, name="b")
    other = run_engine(previz_studio, tmp_path, seed=8, name="c")
    assert all(np.array_equal(x, y) for x, y in zip(first, again, strict=True))
    assert not np.array_equal(first[0], first[1])  # variation 2 starts from seed 8's noise
    assert np.array_equal(other[0], first[1])  # ... which is seed 8's first variation
    assert not np.array_equal(first[0], other[0])
    assert first[0].shape == (64, 64, 3)


def test_a_reference_image_steers_image_to_image(previz_studio, tmp_path):
    # Random weights do not keep a picture's brightness through their VAE, so what is checked is that the
    # reference decides the result: another reference, another frame; the same reference and seed, the same.
    dark = save_image(tmp_path / "sketch_dark.png", np.full((80, 96, 3), 10, np.uint8))
    light = save_image(tmp_path / "sketch_light.png", np.full((80, 96, 3), 245, np.uint8))
    from_dark = run_engine(previz_studio, tmp_path, seed=3, inputs=[dark], name="d", strength=0.5)
    again = run_engine(previz_studio, tmp_path, seed=3, inputs=[dark], name="d2", strength=0.5)
    from_light = run_engine(previz_studio, tmp_path, seed=3, inputs=[light], name="l", strength=0.5)
    from_text = run_engine(previz_studio, tmp_path, seed=3, name="t")
    assert from_dark[0].shape == (64, 64, 3)  # the reference is fitted to the frame size asked for
    assert np.array_equal(from_dark[0], again[0])
    assert np.abs(from_dark[0].astype(int) - from_light[0]).mean() > 1
    assert not np.array_equal(from_dark[0], from_text[0])


def test_an_image_to_image_job_keeps_the_reference_as_an_ingredient(previz_studio, tmp_path):
    from greenlight.provenance import read_manifest

    sketch = save_image(tmp_path / "costume_sketch.png", np.full((64, 64, 3), 128, np.uint8))
    job = submit(previz_studio, "previz", previz_params(previz_studio.model, n=1), [sketch], PRODUCTION, "artist")
    job = LocalExecutor(previz_studio).run(job.id)
    assert job.state is JobState.IN_REVIEW, job.history[-1].note
    with previz_studio.transaction() as tx:
        frame = tx.registry.get(Job, job.id).outputs[0]
        path = previz_studio.home / tx.registry.asset(frame).path
    titles = [i.title for i in read_manifest(path).ingredients]
    assert titles == ["costume_sketch.png"]


def test_the_contact_sheet_shows_every_variation_with_its_seed(previz_studio, tmp_path):
    from greenlight.engines.previz.sheet import contact_sheet

    frames = run_engine(previz_studio, tmp_path, seed=100, n=4)
    sheet = contact_sheet(frames, [100, 101, 102, 103], BRIEF, tile=128)
    assert sheet.shape[0] > 2 * 128 and sheet.shape[1] > 2 * 128  # a 2 x 2 grid
    # The first frame is there, enlarged pixel for pixel.
    top, left = 40, 8
    assert np.array_equal(sheet[top:top + 128:2, left:left + 128:2], frames[0])
    with pytest.raises(ValueError):
        contact_sheet(frames, [1, 2])


@pytest.mark.parametrize("overrides, needle", [
    ({"n": 0}, "n 0"), ({"steps": 0}, "steps 0"), ({"width": 63}, "width 63"), ({"strength": 0}, "strength"),
    ({"colour": "teal"}, "unknown previz parameter"), ({"brief": "  "}, "brief is empty"),
    ({"device": "tpu"}, "unknown device"),
])
def test_bad_parameters_are_refused_before_anything_loads(previz_studio, overrides, needle):
    engine = load_engine("previz")
    with pytest.raises(InvalidInput, match=needle):
        engine.check_inputs(EngineRequest((), previz_params(previz_studio.model, **overrides), 0))
