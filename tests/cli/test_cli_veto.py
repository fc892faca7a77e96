"""`greenlight jobs veto`: a talent's veto through the CLI, shown by `jobs show`, and approval refused."""

from __future__ import annotations

import json

from tests.cli.conftest import DESCRIPTION, LEAD, LEAD_PHOTO

NOTE = "not the likeness agreed in the contract"


def draft(cli, faces, tmp_path) -> str:
    """An ingested photo of Eileen Collins in review, under a per-image grant; its job id."""
    assert cli("keys", "init", "--organisation", "Test Studio").code == 0
    assert cli("consent", "grant", LEAD, "--production", "NIGHTFALL", "--use", "independent-replica",
               "--description", DESCRIPTION, "--until", "2030-01-01", "--signed-by", LEAD, "--rate", "40",
               "--unit", "per-approved-image").code == 0
    plate = tmp_path / "plate_09.png"
    plate.write_bytes((faces / LEAD_PHOTO).read_bytes())
    run = cli("ingest", plate, "--tool", "HostedModel 3", "--production", "NIGHTFALL", "--json")
    assert run.code == 0, run.err
    job = json.loads(run.out)
    assert job["state"] == "in_review"
    return job["job"]


def test_a_vetoed_draft_is_shown_as_vetoed_and_cannot_be_approved(studio, faces, tmp_path):
    job = draft(studio, faces, tmp_path)
    vetoed = studio("jobs", "veto", job, "--talent", LEAD, "--note", NOTE, "--as", "agent-for-collins")
    assert vetoed.code == 0 and "can no longer be approved" in vetoed.out
    shown = studio("jobs", "show", job)
    assert f"VETOED for {LEAD} by agent-for-collins" in shown.out and NOTE in shown.out
    assert json.loads(studio("jobs", "show", job, "--json").out)["job"]["vetoes"][0]["note"] == NOTE
    approve = studio("jobs", "approve", job, "--note", "fine by me")
    assert approve.code == 4, approve
    [line] = approve.err.strip().splitlines()
    assert line.startswith("error: ") and "vetoed by agent-for-collins" in line and "approval is blocked" in line
    assert studio("jobs", "reject", job, "--note", "vetoed by the talent").code == 0
    assert studio("ledger", "verify").code == 0


def test_a_veto_for_talent_the_job_does_not_show_changes_nothing(studio, faces, tmp_path, snapshot):
    job = draft(studio, faces, tmp_path)
    assert studio("talent", "add", "Joe Biden").code == 0
    before = snapshot()
    run = studio("jobs", "veto", job, "--talent", "Joe Biden", "--note", NOTE)
    assert run.code == 2 and "does not show Joe Biden" in run.err and len(run.err.strip().splitlines()) == 1
    assert snapshot() == before
