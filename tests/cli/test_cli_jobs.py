"""Creative work through the CLI on a take with sound: run, review, export, verify, ingest, the demo."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from tests.cli.conftest import DESCRIPTION, LEAD, LEAD_PHOTO, one_line_error
from tests.runtime.conftest import cut


@pytest.fixture
def take(studio, cast_clip, tmp_path):
    """Keys made, and 48 frames of Eileen Collins alone, with sound (the built clip's first shot)."""
    assert studio("keys", "init", "--organisation", "Test Studio").code == 0
    return cut(cast_clip.path, tmp_path / "take_03.mp4", start=cast_clip.lead_alone.start, frames=48)


def jobs(cli) -> dict[str, str]:
    return {j["id"]: j["state"] for j in json.loads(cli("jobs", "list", "--json").out)}


def deage(cli, clip, production: str, *more: str):
    before = set(jobs(cli))
    run = cli("run", "deage", clip, "--talent", LEAD, "--years", "15", "--production", production,
              *more)
    [job_id] = set(jobs(cli)) - before
    return run, job_id


def test_a_deaged_take_is_reviewed_exported_and_verified(studio, take, tmp_path):
    run, job_id = deage(studio, take, "NIGHTFALL")
    assert run.code == 0 and jobs(studio)[job_id] == "in_review", run.out
    deliverables = tmp_path / "deliverables"
    one_line_error(studio("export", job_id, deliverables), job_id, "only approved outputs")
    assert not list(deliverables.glob("*"))
    approved = studio("jobs", "approve", job_id, "--note", "right for the flashback")
    assert approved.code == 0 and "metered" in approved.out
    assert studio("export", job_id, deliverables).code == 0
    [deliverable] = deliverables.glob(f"{job_id}-*.mp4")
    verified = studio("verify", deliverable)
    assert verified.code == 0, verified.out
    for line in ("VERIFIED", "c2pa.edited", "do not train: yes", "watermark: payload", f"job {job_id} is approved"):
        assert line in verified.out, line
    shown = json.loads(studio("jobs", "show", job_id, "--json").out)
    assert [u["grant_id"] for u in shown["job"]["usage"]] == [studio.grant_id]


def test_blocked_rejected_and_cancelled_jobs_never_export(studio, take, faces, tmp_path):
    run, blocked = deage(studio, take, "DAYBREAK")  # the grant covers NIGHTFALL only
    assert run.code == 4 and jobs(studio)[blocked] == "blocked"
    still = faces / LEAD_PHOTO
    # the fixture's grant pays seconds, which a still cannot meter: a still needs one paid per image
    assert studio("consent", "grant", LEAD, "--production", "NIGHTFALL", "--use", "digital-alteration",
                  "--description", DESCRIPTION, "--until", "2030-01-01", "--signed-by", LEAD, "--rate", "40",
                  "--unit", "per-approved-image").code == 0
    run, rejected = deage(studio, still, "NIGHTFALL")
    assert run.code == 0 and studio("jobs", "reject", rejected, "--note", "too smooth").code == 0
    run, queued = deage(studio, take, "NIGHTFALL", "--queue")
    assert run.code == 0 and jobs(studio)[queued] == "queued"
    assert studio("jobs", "cancel", queued, "--note", "wrong take").code == 0
    assert jobs(studio) == {blocked: "blocked", rejected: "rejected", queued: "cancelled"}
    for job_id in (blocked, rejected, queued):
        one_line_error(studio("export", job_id, tmp_path / "out"), job_id)
    one_line_error(studio("jobs", "approve", blocked, "--note", "let it through"), blocked)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_ingest_json_names_the_stored_asset(studio, take, faces):
    run = studio("ingest", take, "--tool", "HostedVideo 2", "--production", "NIGHTFALL", "--use",
                 "digital-alteration", "--json")
    result = json.loads(run.out)
    assert run.code == 0 and result["state"] == "in_review"
    [asset] = result["assets"]
    assert asset["role"] == "output" and len(asset["sha256"]) == 64
    verified = json.loads(studio("verify", asset["path"], "--json").out)
    assert verified["verified"] and verified["job"]["id"] == result["job"]
    refused = studio("ingest", take, "--tool", "HostedVideo 2", "--production", "DAYBREAK", "--json")
    blocked = json.loads(refused.out)
    assert refused.code == 4 and blocked["state"] == "blocked" and blocked["assets"] == []
    assert "consent.other-scope" in [r["code"] for r in blocked["reasons"]]


def test_the_demo_runs_end_to_end(cli, tmp_path):
    run = cli("demo", tmp_path / "demo")
    assert run.code == 0, run.err
    for line in ("ALLOW", "BLOCK", "approved by vfx-supervisor", "VERIFIED", "hash chain intact"):
        assert line in run.out, line
    assert (tmp_path / "demo" / "before_after.png").stat().st_size > 10_000


def test_refused_media_is_not_stored(studio, take, tmp_path, snapshot):
    notes = tmp_path / "notes.jpg"
    notes.write_text("call sheet: day 12, stage 4, 6am\n" * 20)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(take.read_bytes()[: take.stat().st_size // 3])
    sliver = tmp_path / "sliver.png"  # stored with a failed job before: too thin to carry the watermark
    Image.fromarray(np.full((2, 4000, 3), 128, np.uint8)).save(sliver)
    files, before = sorted(studio.home.rglob("*")), snapshot()
    for bad in (notes, truncated, sliver):
        one_line_error(studio("ingest", bad, "--tool", "HostedVideo 2", "--production", "NIGHTFALL"), bad.name)
    for bad in (notes, truncated):
        one_line_error(studio("run", "deage", bad, "--talent", LEAD, "--years", "10",
                              "--production", "NIGHTFALL"), bad.name)
    assert sorted(studio.home.rglob("*")) == files and snapshot() == before


def test_a_studio_signs_with_its_own_chain(cli, tmp_path, snapshot):
    from skimage import data

    from greenlight.media import save_image
    from greenlight.provenance import init_keys

    own = tmp_path / "studio-pki"
    init_keys(own, "Northlight Pictures")  # stands in for the studio's own CA
    chain, key, root = own / "signer-chain.pem", own / "signer.key", own / "root-ca.pem"
    before = snapshot()
    one_line_error(cli("keys", "import", chain, own / "root-ca.key", "--root", root), "does not belong")
    assert snapshot() == before and not (cli.home / "keys").exists()
    assert cli("keys", "import", chain, key, "--root", root).code == 0
    assert (cli.home / "keys" / "signer.key").stat().st_mode & 0o777 == 0o600
    cli("production", "add", "NIGHTFALL", "Nightfall")
    plate = save_image(tmp_path / "plate.png", data.coffee())
    ingested = json.loads(cli("ingest", plate, "--tool", "Matte Painter 4", "--production", "NIGHTFALL", "--json").out)
    verified = json.loads(cli("verify", ingested["assets"][0]["path"], "--json").out)
    assert verified["verified"] and verified["manifest"]["signer"] == "Northlight Pictures Content Credentials"
    assert verified["manifest"]["ingredients"][0]["title"] == "plate.png"


def test_a_grant_revoked_in_review_blocks_approval_and_export(studio, take, tmp_path):
    run, job_id = deage(studio, take, "NIGHTFALL")
    assert run.code == 0
    assert studio("consent", "suspend", studio.grant_id, "--reason", "strike").code == 0
    refused = studio("jobs", "approve", job_id, "--note", "right for the flashback")
    assert refused.code == 4 and "blocked" in refused.err and "suspended" in refused.err
    assert jobs(studio)[job_id] == "blocked"
    one_line_error(studio("export", job_id, tmp_path / "out"), job_id, "only approved")
    assert not (tmp_path / "out").exists()


def test_a_grant_revoked_after_approval_stops_the_export(studio, take, tmp_path):
    run, job_id = deage(studio, take, "NIGHTFALL")
    assert studio("jobs", "approve", job_id, "--note", "right for the flashback").code == 0
    assert studio("consent", "revoke", studio.grant_id, "--reason", "withdrawn").code == 0
    refused = studio("export", job_id, tmp_path / "out")
    assert refused.code == 4 and len(refused.err.strip().splitlines()) == 1 and "revoked" in refused.err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    assert jobs(studio)[job_id] == "blocked"
    checked = studio("ledger", "verify")
    assert checked.code == 0, checked.out  # the block and the quarantine are in the ledger, as in the registry
