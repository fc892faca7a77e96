"""The model registry: a folder is checked and hashed before it is registered; a bad one changes nothing.

Each refusal is one line naming the folder, and leaves every table and the ledger as they were.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select, text

from greenlight.engines.previz.models import ModelFolderError, check_folder, content_hash
from greenlight.errors import AlreadyExists
from greenlight.runtime.jobs import submit
from greenlight.runtime.models import add_model, models
from greenlight.store.tables import metadata
from tests.engines.previz_kit import PRODUCTION, previz_params


def state(studio) -> dict:
    with studio.database.session() as session:
        return {t.name: [tuple(r) for r in session.execute(select(t))] for t in metadata.sorted_tables}


def edit_index(folder: Path, **changes) -> None:
    index = json.loads((folder / "model_index.json").read_text())
    index.update(changes)
    (folder / "model_index.json").write_text(json.dumps(index))


def missing(folder: Path) -> Path:
    return folder.parent / "no-such-model"


def not_diffusers(folder: Path) -> Path:
    (folder / "model_index.json").unlink()
    return folder


def unconditional(folder: Path) -> Path:
    edit_index(folder, _class_name="DDPMPipeline")
    return folder


def upscaler(folder: Path) -> Path:
    edit_index(folder, _class_name="StableDiffusionUpscalePipeline")
    return folder


def no_unet_weights(folder: Path) -> Path:
    for weights in (folder / "unet").glob("*.safetensors"):
        weights.unlink()
    return folder


def no_text_encoder(folder: Path) -> Path:
    import shutil

    shutil.rmtree(folder / "text_encoder")
    return folder


def hub_pipeline(folder: Path) -> Path:
    edit_index(folder, _class_name=["someone/custom-pipeline", "CustomPipeline"])
    return folder


def hub_component(folder: Path) -> Path:
    edit_index(folder, unet=["someone_custom_module", "MyUNet"])
    return folder


BAD_FOLDERS = [
    pytest.param(missing, "no such model folder", id="missing"),
    pytest.param(not_diffusers, "not a diffusers pipeline folder", id="not-diffusers"),
    pytest.param(unconditional, "DDPMPipeline is not a text-to-image pipeline", id="unconditional"),
    pytest.param(upscaler, "StableDiffusionUpscalePipeline is not a text-to-image pipeline", id="upscaler"),
    pytest.param(no_unet_weights, "component 'unet' (UNet2DConditionModel) has no weights", id="no-weights"),
    pytest.param(no_text_encoder, "component 'text_encoder' (CLIPTextModel) is missing", id="no-text-encoder"),
    pytest.param(hub_pipeline, "custom pipeline from a hub repository", id="hub-pipeline"),
    pytest.param(hub_component, "code that would need a download", id="hub-component"),
]


@pytest.mark.parametrize("spoil, needle", BAD_FOLDERS)
def test_a_bad_model_folder_is_refused_in_one_line_and_nothing_is_stored(previz_studio, tiny_model, spoil, needle):
    before = state(previz_studio)
    folder = spoil(tiny_model)
    with pytest.raises(ModelFolderError) as refused:
        add_model(previz_studio, "spoilt", folder, "test")
    line = refused.value.one_line()
    assert needle in line and str(folder) in line and "\n" not in line
    assert state(previz_studio) == before


def test_components_from_diffusers_own_pipeline_modules_are_accepted(tiny_model):
    # Stable Diffusion 1.5's folders name their safety checker as ["stable_diffusion", "StableDiffusionSafetyChecker"].
    edit_index(tiny_model, safety_checker=["stable_diffusion", "StableDiffusionSafetyChecker"])
    (tiny_model / "safety_checker").mkdir()
    (tiny_model / "safety_checker" / "config.json").write_text("{}")
    (tiny_model / "safety_checker" / "model.safetensors").write_bytes(b"weights")
    assert "safety_checker" in check_folder(tiny_model).components


def test_a_registered_model_is_pinned_by_a_stable_content_hash(previz_studio, tiny_model_source):
    model = previz_studio.model
    assert model.pipeline == "StableDiffusionPipeline"
    assert model.sha256 == content_hash(check_folder(tiny_model_source))  # the same bytes elsewhere, the same hash
    assert [m.name for m in models(previz_studio)] == ["tiny"]
    with pytest.raises(AlreadyExists, match="a model named 'TINY' is already registered"):
        add_model(previz_studio, "TINY", tiny_model_source, "test")


def test_files_changed_after_registration_are_refused_before_a_job_is_stored(previz_studio):
    weights = next((previz_studio.model_dir / "unet").glob("*.safetensors"))
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # same size, different bytes
    weights.write_bytes(bytes(data))
    before = state(previz_studio)
    with pytest.raises(ModelFolderError, match="the files of model 'tiny' changed since it was registered"):
        submit(previz_studio, "previz", previz_params(previz_studio.model), [], PRODUCTION, "artist")
    assert state(previz_studio) == before


def test_files_touched_but_unchanged_are_still_the_registered_model(previz_studio):
    config = previz_studio.model_dir / "unet" / "config.json"
    os.utime(config, ns=(1, 1))  # the fingerprint changes; the content hash does not
    job = submit(previz_studio, "previz", previz_params(previz_studio.model), [], PRODUCTION, "artist")
    assert job.params["model_sha256"] == previz_studio.model.sha256


def test_ledger_verify_follows_the_model_registry(previz_studio):
    from greenlight.ledger.audit import audit

    def problems() -> list[str]:
        with previz_studio.transaction() as tx:
            return list(audit(tx.ledger.session, previz_studio.checkpoints).problems)

    assert problems() == []
    with previz_studio.database.session() as session:
        row = session.execute(text("SELECT record FROM models")).scalar_one()
        session.execute(text("UPDATE models SET record = :r"), {"r": row.replace('"folder":"', '"folder":"/elsewhere')})
    found = problems()
    assert len(found) == 1 and found[0].startswith(f"model {previz_studio.model.id}: the table says folder")


def test_a_model_folder_gone_before_the_job_runs_fails_it_in_one_line(previz_studio):
    import shutil

    from greenlight.domain import JobState
    from greenlight.runtime.executor import LocalExecutor

    job = submit(previz_studio, "previz", previz_params(previz_studio.model), [], PRODUCTION, "artist")
    shutil.rmtree(previz_studio.model_dir)
    job = LocalExecutor(previz_studio).run(job.id)
    assert job.state is JobState.FAILED
    note = job.history[-1].note
    assert "no such model folder" in note and str(previz_studio.model_dir) in note and "\n" not in note
    assert job.outputs == ()
