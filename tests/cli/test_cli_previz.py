"""`greenlight models add|list` and `greenlight run previz`, through the real entry point, offline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from greenlight.media import save_image
from tests.cli.conftest import one_line_error
from tests.engines.previz_kit import BRIEF, ROOT


def ready(cli, model: Path):
    assert cli("keys", "init").code == 0
    assert cli("production", "add", "BUNKER", "Bunker").code == 0
    added = cli("models", "add", "tiny", model)
    assert added.code == 0, added.err
    return added


def previz(cli, brief: str = BRIEF, *extra: str):
    return cli("run", "previz", brief, "--production", "BUNKER", "--model", "tiny", "--n", "2", "--steps", "2",
               "--width", "64", "--height", "64", *extra)


def test_models_add_and_list(cli, tiny_model):
    added = ready(cli, tiny_model)
    assert "added model tiny (StableDiffusionPipeline" in added.out
    listed = json.loads(cli("models", "list", "--json").out)
    assert [(m["name"], m["pipeline"], m["folder"]) for m in listed] == [
        ("tiny", "StableDiffusionPipeline", str(tiny_model.resolve()))]
    assert listed[0]["sha256"] in added.out
    assert "tiny" in cli("models", "list").out


def test_a_folder_that_is_no_model_is_refused_in_one_line_changing_nothing(cli, snapshot, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "readme.txt").write_text("not a model")
    before = snapshot()
    one_line_error(cli("models", "add", "notes", notes), str(notes), "not a diffusers pipeline folder")
    one_line_error(cli("models", "add", "gone", tmp_path / "gone"), "no such model folder")
    assert snapshot() == before


def test_run_previz_puts_signed_frames_and_their_contact_sheet_in_review(cli, tiny_model):
    ready(cli, tiny_model)
    done = previz(cli, BRIEF, "--seed", "12")
    assert done.code == 0, (done.out, done.err)
    assert "seeds 12–13" in done.out and "in_review" in done.out
    job_id = done.out.split("queued ", 1)[1].split(":", 1)[0]
    shown = json.loads(cli("jobs", "show", job_id, "--json").out)
    assert shown["job"]["params"]["model"] == "tiny"
    assert len(shown["assets"]) == 3
    verified = cli("verify", cli.home / shown["assets"][-1]["path"])
    assert verified.code == 0, verified.out + verified.err


def test_run_previz_with_a_reference_image(cli, tiny_model, tmp_path):
    ready(cli, tiny_model)
    sketch = save_image(tmp_path / "costume_sketch.png", np.full((96, 64, 3), 90, np.uint8))
    done = previz(cli, "the same coat in oxblood wool", "--image", sketch)
    assert done.code == 0, (done.out, done.err)
    assert "after costume_sketch.png" in done.out


def test_a_protected_person_in_the_brief_is_blocked(cli, tiny_model):
    ready(cli, tiny_model)
    assert cli("protect", "person", "Barack Obama").code == 0
    blocked = previz(cli, "Barack Obama inspecting the bunker")
    assert blocked.code == 4, (blocked.out, blocked.err)
    assert "blocked" in blocked.out


def test_an_unknown_model_is_one_line(cli, tiny_model, snapshot):
    ready(cli, tiny_model)
    before = snapshot()
    one_line_error(cli("run", "previz", BRIEF, "--production", "BUNKER", "--model", "nope"), "no model named 'nope'")
    assert snapshot() == before


def test_the_cli_and_the_engine_module_do_not_import_torch():
    code = ("import sys, greenlight.cli.app, greenlight.engines.previz.diffusion; "
            "print(sorted(m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}).stdout
    assert out.strip() == "[]"
