"""`greenlight run collapse --exr`: EXR frames go through the guards, the store, review and export like every
output, and `greenlight verify` reads their sidecar Content Credentials and their watermark."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.cli.conftest import one_line_error
from tests.cli.test_cli_collapse import TINY, street  # noqa: F401  (the fixture)


@pytest.fixture
def exr_job(cli, street):  # noqa: F811
    plate, outline = street
    run = cli("run", "collapse", plate, "--outline", outline, "--production", "NIGHTFALL", "--seed", "4", "--exr",
              *TINY)
    assert run.code == 0, run.out + run.err
    [job] = json.loads(cli("jobs", "list", "--json").out)
    return json.loads(cli("jobs", "show", job["id"], "--json").out)


def test_exr_frames_are_signed_outputs_in_review_and_verify_reads_their_sidecar(cli, exr_job, tmp_path):
    assert exr_job["job"]["state"] == "in_review"
    assets = exr_job["assets"]
    exrs = [a for a in assets if a["path"].endswith(".exr")]
    assert len(exrs) == 12 and len(assets) == 17 and {a["role"] for a in assets} == {"output"}
    frame = cli.home / exrs[-1]["path"]
    # Only the EXR travels: verify finds its manifest in the store, under the frame's hash.
    loose = tmp_path / "loose.exr"
    shutil.copyfile(frame, loose)
    for path in (frame, loose):
        verified = cli("verify", path, "--json")
        assert verified.code == 0, verified.out
        result = json.loads(verified.out)
        assert result["manifest"]["state"] == "trusted" and result["manifest"]["sidecar"].endswith(".c2pa")
        assert result["manifest"]["actions"][-1]["digital_source_type"].endswith("/algorithmicMedia")
        assert result["watermark"]["state"] == "traced" and result["asset"]["id"] == exrs[-1]["id"]
    said = cli("verify", loose).out
    assert "VERIFIED" in said and "sidecar manifest" in said and "recovered" in said


def test_exported_exr_frames_have_their_manifest_beside_them(cli, exr_job, tmp_path):
    job_id = exr_job["job"]["id"]
    assert cli("jobs", "approve", job_id, "--note", "plates look right").code == 0
    out = tmp_path / "deliverables"
    assert cli("export", job_id, out).code == 0
    frames = sorted(out.glob("*.exr"))
    assert len(frames) == 12 and all(f.with_suffix(".c2pa").is_file() for f in frames)
    assert cli("verify", frames[0]).code == 0
    data = bytearray(frames[0].read_bytes())
    data[-20] ^= 0x01
    frames[0].write_bytes(bytes(data))
    tampered = cli("verify", frames[0])
    assert tampered.code == 1 and "tampered" in tampered.out


def test_export_to_a_folder_that_cannot_be_made_is_one_line_and_changes_nothing(cli, exr_job, snapshot, tmp_path):
    job_id = exr_job["job"]["id"]
    assert cli("jobs", "approve", job_id, "--note", "ok").code == 0
    blocker = tmp_path / "delivery.txt"
    blocker.write_text("a file where the folder should be\n")
    before = snapshot()
    one_line_error(cli("export", job_id, blocker / "exr"), "delivery.txt")
    assert snapshot() == before
    assert blocker.read_text() == "a file where the folder should be\n"
