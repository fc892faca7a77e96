"""Attacks on previz: protected names hidden in the brief, the negative prompt or the reference's file name;
model folders changed behind the registry's back; code in a model folder that diffusers would run.

Each test is one attack; it passes when the guard holds.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from skimage import data

from greenlight.domain import JobState
from greenlight.engines.previz.models import ModelFolderError, check_folder, content_hash
from greenlight.media import save_image
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import submit
from greenlight.runtime.registry import protect_person
from tests.engines.previz_kit import PRODUCTION, previz_params
from tests.engines.test_previz_guards import opened  # noqa: F401 (fixture)

DISGUISED = {
    "cyrillic": "B\u0430r\u0430ck Ob\u0430m\u0430 walking the bunker corridor",
    "zero-width": "Bar\u200back Oba\u200cma walking the bunker corridor",
    "fullwidth": "\uff22arack \uff2fbama walking the bunker corridor",
    "spaced": "B a r a c k  O b a m a walking the bunker corridor",
    "combining": "Ba\u0301rack Oba\u0308ma walking the bunker corridor",
    "joined": "BarackObama walking the bunker corridor",
}


def blocked_before_opening(studio, params, inputs=()):
    job = submit(studio, "previz", params, list(inputs), PRODUCTION, "artist")
    job = LocalExecutor(studio).run(job.id)
    return job


@pytest.mark.parametrize("brief", DISGUISED.values(), ids=DISGUISED.keys())
def test_a_disguised_protected_name_in_the_brief_is_blocked_unopened(previz_studio, opened, brief):  # noqa: F811
    protect_person(previz_studio, "Barack Obama", "legal")
    job = blocked_before_opening(previz_studio, previz_params(previz_studio.model, brief, n=1))
    assert job.state is JobState.BLOCKED, job.history[-1].note
    assert opened == []


def test_a_protected_name_in_the_negative_prompt_is_screened_too(previz_studio, opened):  # noqa: F811
    protect_person(previz_studio, "Barack Obama", "legal")
    params = previz_params(previz_studio.model, n=1, negative="B\u0430rack Ob\u0430ma, blurry")
    job = blocked_before_opening(previz_studio, params)
    assert job.state is JobState.BLOCKED, job.history[-1].note
    assert opened == []


@pytest.mark.parametrize("name", ["barack_obama_ref.png", "Barack-Obama.png", "BarackObama.png",
                                  "b\u0430rack obama.png"])
def test_a_protected_name_in_the_reference_file_name_is_blocked(previz_studio, opened, tmp_path, name):  # noqa: F811
    protect_person(previz_studio, "Barack Obama", "legal")
    image = save_image(tmp_path / name, data.coffee()[:64, :64])
    job = blocked_before_opening(previz_studio, previz_params(previz_studio.model, n=1), [image])
    assert job.state is JobState.BLOCKED, job.history[-1].note
    assert opened == []


def swap_keeping_size_and_times(path: Path) -> None:
    """Change bytes of ``path`` and put its size and modification time back, as a careful attacker would."""
    before = path.stat()
    body = bytearray(path.read_bytes())
    body[-1] ^= 0xFF
    path.write_bytes(bytes(body))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns


def test_weights_swapped_with_size_and_mtime_restored_are_refused(previz_studio):
    weights = next((previz_studio.model_dir / "unet").glob("*.safetensors"))
    swap_keeping_size_and_times(weights)
    with pytest.raises(ModelFolderError, match="the files of model 'tiny' changed since it was registered"):
        submit(previz_studio, "previz", previz_params(previz_studio.model), [], PRODUCTION, "artist")


def test_weights_swapped_after_submission_with_times_restored_fail_the_job(previz_studio, opened):  # noqa: F811
    job = submit(previz_studio, "previz", previz_params(previz_studio.model, n=1), [], PRODUCTION, "artist")
    swap_keeping_size_and_times(next((previz_studio.model_dir / "unet").glob("*.safetensors")))
    job = LocalExecutor(previz_studio).run(job.id)
    assert job.state is JobState.FAILED and "changed since it was registered" in job.history[-1].note
    assert opened == []


def test_a_weights_link_retargeted_to_same_size_bytes_is_refused(tmp_path, tiny_model_source, monkeypatch):
    from greenlight.engines.previz.models import check_unchanged

    folder = Path(shutil.copytree(tiny_model_source, tmp_path / "linked-sd"))
    weights = next((folder / "unet").glob("*.safetensors"))
    real = tmp_path / "store" / "a.safetensors"
    real.parent.mkdir()
    shutil.move(weights, real)
    weights.symlink_to(real)
    check = check_folder(folder)
    fingerprint, sha = check.fingerprint, content_hash(check)
    other = tmp_path / "store" / "b.safetensors"
    shutil.copy2(real, other)
    swap_keeping_size_and_times(other)
    weights.unlink()
    weights.symlink_to(other)
    with pytest.raises(ModelFolderError, match="changed since it was registered"):
        check_unchanged(folder, fingerprint, sha, "linked")


def test_a_model_registered_through_a_link_stays_pinned_to_the_real_folder(previz_studio, tmp_path):
    from greenlight.runtime.models import add_model

    link = tmp_path / "current-model"
    link.symlink_to(previz_studio.model_dir)
    model = add_model(previz_studio, "via-link", link, "test")
    assert Path(model.folder) == previz_studio.model_dir.resolve()
    decoy = Path(shutil.copytree(previz_studio.model_dir, tmp_path / "decoy"))
    swap_keeping_size_and_times(next((decoy / "unet").glob("*.safetensors")))
    link.unlink()
    link.symlink_to(decoy)  # repointing the link does not move the registered model
    job = submit(previz_studio, "previz", previz_params(model, n=1), [], PRODUCTION, "artist")
    assert Path(job.params["model_dir"]) == previz_studio.model_dir.resolve()


@pytest.mark.parametrize("code", ["None.py", "pipeline.py", "unet/modeling_custom.py"])
def test_python_code_in_a_registered_model_folder_never_runs(tiny_model, tmp_path, previz_studio, code):
    """diffusers takes ``FOLDER/None.py`` for a custom pipeline when none is asked for (it looks for
    ``f"{custom_pipeline}.py"``); without trust_remote_code it refuses to run it, and the job fails."""
    from greenlight.runtime.models import add_model

    folder = Path(shutil.copytree(tiny_model, tmp_path / "with-code"))
    marker = tmp_path / "ran"
    (folder / code).write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    model = add_model(previz_studio, "with-code", folder, "test")
    job = submit(previz_studio, "previz", previz_params(model, n=1), [], PRODUCTION, "artist")
    job = LocalExecutor(previz_studio).run(job.id)
    assert not marker.exists()
    assert job.state in (JobState.FAILED, JobState.IN_REVIEW), job.history[-1].note
    assert "\n" not in job.history[-1].note


def test_a_component_from_a_local_module_is_refused(tiny_model):
    index = json.loads((tiny_model / "model_index.json").read_text())
    index["unet"] = ["my_unet", "MyUNet"]
    (tiny_model / "model_index.json").write_text(json.dumps(index))
    (tiny_model / "unet" / "my_unet.py").write_text("class MyUNet: pass\n")
    with pytest.raises(ModelFolderError):
        check_folder(tiny_model)


def test_the_manifest_names_the_hash_of_the_folder_that_made_the_frames(previz_studio):
    from greenlight.provenance import read_manifest
    from greenlight.runtime.signing import trust_root

    job = submit(previz_studio, "previz", previz_params(previz_studio.model, n=1), [], PRODUCTION, "artist")
    job = LocalExecutor(previz_studio).run(job.id)
    assert job.state is JobState.IN_REVIEW, job.history[-1].note
    folder_hash = content_hash(check_folder(job.params["model_dir"]))
    assert folder_hash == previz_studio.model.sha256 == job.params["model_sha256"]
    with previz_studio.transaction() as tx:
        assets = [previz_studio.home / a.path for a in tx.registry.job_assets(job.id)]
    for asset in assets:
        report = read_manifest(asset, trust_root(previz_studio))
        assert report.trusted
        assert folder_hash in json.dumps(report.raw if hasattr(report, "raw") else repr(report), default=str) or \
            folder_hash in repr(report), asset
