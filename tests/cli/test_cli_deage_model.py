"""`greenlight run deage --model`: the generative pass on a registered model folder, through the real entry point.

The model is the tiny random Stable Diffusion of the previz tests (built from configs, offline). Its weights
are random, so what it paints on the skin is coloured noise, not a younger face: these tests are about the
path (folder → `models add` → job → guards → signed output in review), the seed, the model's identity in the
job and the Content Credentials, and the refusals; not about how young the face looks.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.astronaut import TALENT, cast_fixture, grant_stills  # noqa: F401  (the fixture ``cast``)
from tests.cli.conftest import one_line_error


def jobs(cli) -> dict[str, str]:
    return {j["id"]: j["state"] for j in json.loads(cli("jobs", "list", "--json").out)}


def deage(cli, clip: Path, *more: str):
    before = set(jobs(cli))
    run = cli("run", "deage", clip, "--talent", TALENT, "--years", "15", "--production", "NIGHTFALL", *more)
    new = set(jobs(cli)) - before
    return run, (new.pop() if new else None)


def show(cli, job_id: str) -> dict:
    return json.loads(cli("jobs", "show", job_id, "--json").out)


def loud_copy(source: Path, folder: Path, gain: float = 20.0) -> Path:
    """A copy of the tiny model whose autoencoder paints every change it decodes ``gain`` times as strongly:
    a model whose refinement replaces the skin, as one that drifts from the talent would."""
    import torch
    from diffusers import AutoencoderKL

    shutil.copytree(source, folder)
    vae = AutoencoderKL.from_pretrained(folder / "vae")
    with torch.no_grad():
        vae.decoder.conv_out.weight *= gain
    vae.save_pretrained(folder / "vae")
    return folder


def test_a_take_refined_by_the_studio_model_is_signed_in_review_naming_the_model(cli, cast, tiny_model):
    from greenlight.provenance import read_manifest
    from greenlight.runtime.signing import trust_root
    from greenlight.runtime.studio import Studio

    added = cli("models", "add", "tiny", tiny_model, "--json")
    assert added.code == 0, added.err
    sha = json.loads(added.out)["sha256"]
    run, job_id = deage(cli, cli.take, "--model", "tiny", "--strength", "0.35", "--steps", "4", "--age", "45",
                        "--seed", "5")
    assert run.code == 0 and jobs(cli)[job_id] == "in_review", (run.out, run.err)
    assert "refined by tiny at strength 0.35" in run.out
    shown = show(cli, job_id)
    params = shown["job"]["params"]
    assert (params["model"], params["model_sha256"], params["strength"], params["age"]) == ("tiny", sha, 0.35, 45)
    [output] = [a for a in shown["assets"] if a["role"] == "output"]
    report = read_manifest(cli.home / output["path"], trust_root(Studio.open(cli.home)))
    assert report.state == "trusted", report
    assert report.job.model == f"tiny (sha256:{sha})" and report.job.seed == 5
    assert cli("verify", cli.home / output["path"]).code == 0


def cast_photo(cli) -> Path:
    """A still of the talent that is not the enrolment photo itself: the astronaut mirrored."""
    import numpy as np

    from greenlight.media import load_image, save_image

    path = cli.photo.parent / "still_mirrored.png"
    if not path.exists():
        save_image(path, np.ascontiguousarray(load_image(cli.photo)[:, ::-1]))
    return path


def test_a_refined_face_that_is_no_longer_the_talent_is_blocked(cli, cast, tiny_model, tmp_path):
    loud = loud_copy(tiny_model, tmp_path / "loud-sd")
    assert cli("models", "add", "loud", loud).code == 0
    grant_stills(cli)  # a still is metered per image
    run, job_id = deage(cli, cast_photo(cli), "--model", "loud", "--strength", "1.0", "--steps", "4")
    assert run.code == 4 and jobs(cli)[job_id] == "blocked", (run.out, run.err)
    codes = [r["code"] for d in show(cli, job_id)["decisions"] for r in d["reasons"]]
    assert "identity.drift" in codes
    assert all(a["role"] != "output" for a in show(cli, job_id)["assets"])  # nothing signed


def test_an_unknown_model_is_one_line_and_writes_no_job(cli, cast, snapshot):
    before = snapshot()
    run, job_id = deage(cli, cli.take, "--model", "sd15-nowhere")
    one_line_error(run, "sd15-nowhere")
    assert job_id is None and snapshot() == before


def test_a_model_folder_changed_after_registration_is_refused(cli, cast, tiny_model, snapshot):
    assert cli("models", "add", "tiny", tiny_model).code == 0
    [weights] = (tiny_model / "unet").glob("*.safetensors")
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # one byte of the UNet's weights
    weights.write_bytes(bytes(data))
    before = snapshot()
    run, job_id = deage(cli, cli.take, "--model", "tiny")
    one_line_error(run, "changed since it was registered")
    assert job_id is None and snapshot() == before


def test_age_without_a_model_is_refused(cli, cast, snapshot):
    before = snapshot()
    run, job_id = deage(cli, cli.take, "--age", "50")
    one_line_error(run, "--age is only used with --model")
    assert job_id is None and snapshot() == before
