"""Rows forged behind the ledger's back must not become its last word, nor reach a deliverable or a report.

Each attack is what someone who can write the studio database (not the signing key) did to a studio set up
as the README's quick start: an escalated job queued again with a written approval nobody gave, a veto
removed, an output asset pointed at another file, a report's jobs and grants edited. Every command that
reads such a row refuses in one line naming it (exit 2). The must-pass cases are the same flows untouched.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from greenlight.domain import utcnow
from greenlight.runtime.studio import Studio
from tests.cli.conftest import DESCRIPTION, LEAD, LEAD_PHOTO, one_line_error

STRANGER = "rose_leslie/rose_leslie1.jpg"  # nobody enrolled or protected her: an unknown face escalates
NOTE = "not the performance agreed in the contract"


def sql(cli, statement: str, **params) -> list:
    with Studio.open(Path(cli.home)).database.session() as session:
        result = session.execute(text(statement), params)
        return list(result) if result.returns_rows else []


def edit_row(cli, table: str, row_id: str, edit, **columns) -> None:
    """Change a registry row's record (and key columns) behind the ledger's back."""
    record = json.loads(sql(cli, f"SELECT record FROM {table} WHERE id = :id", id=row_id)[0][0])
    edit(record)
    sets = ", ".join(["record = :record", *(f"{c} = :{c}" for c in columns)])
    sql(cli, f"UPDATE {table} SET {sets} WHERE id = :id", record=json.dumps(record), id=row_id, **columns)


def state(cli, job_id: str) -> str:
    return json.loads(cli("jobs", "show", job_id, "--json").out)["job"]["state"]


def per_image_grant(cli, use: str) -> str:
    run = cli("consent", "grant", LEAD, "--production", "NIGHTFALL", "--use", use, "--description", DESCRIPTION,
              "--until", "2030-01-01", "--signed-by", LEAD, "--rate", "40", "--unit", "per-approved-image", "--json")
    assert run.code == 0, run.err
    return json.loads(run.out)["id"]


@pytest.fixture
def keyed(studio):
    """The quick start's studio (Eileen Collins enrolled and covered for de-aging), with keys."""
    assert studio("keys", "init", "--organisation", "Test Studio").code == 0
    return studio


def escalated(cli, faces, tmp_path) -> str:
    """An outside tool's still of a face nobody enrolled: escalated, waiting for legal."""
    shot = tmp_path / "shot_12.jpg"
    shot.write_bytes((faces / STRANGER).read_bytes())
    run = cli("ingest", shot, "--tool", "Runway", "--production", "NIGHTFALL", "--json")
    assert run.code == 3, (run.out, run.err)
    return json.loads(run.out)["job"]


def queued_deage(cli, faces, tmp_path) -> str:
    """A queued de-aging of a still of Eileen Collins, under a grant paid per image."""
    per_image_grant(cli, "digital-alteration")
    still = tmp_path / "take.png"
    still.write_bytes((faces / LEAD_PHOTO).read_bytes())
    before = {j["id"] for j in json.loads(cli("jobs", "list", "--json").out)}
    run = cli("run", "deage", still, "--talent", LEAD, "--years", "10", "--production", "NIGHTFALL", "--queue")
    assert run.code == 0, run.err
    [job_id] = {j["id"] for j in json.loads(cli("jobs", "list", "--json").out)} - before
    return job_id


def approved(cli, faces, tmp_path) -> str:
    """An outside tool's still of Eileen Collins, approved under a per-image grant (40 USD owed)."""
    per_image_grant(cli, "independent-replica")
    plate = tmp_path / "plate_09.png"
    plate.write_bytes((faces / LEAD_PHOTO).read_bytes())
    run = cli("ingest", plate, "--tool", "HostedModel 3", "--production", "NIGHTFALL", "--json")
    assert run.code == 0, run.err
    job_id = json.loads(run.out)["job"]
    assert cli("jobs", "approve", job_id, "--note", "right for the flashback").code == 0
    return job_id


def output_asset(cli, job_id: str) -> dict:
    [asset] = [a for a in json.loads(cli("jobs", "show", job_id, "--json").out)["assets"] if a["role"] == "output"]
    return asset


def nothing_in(folder: Path) -> bool:
    return not folder.exists() or not any(folder.iterdir())


# --- A: a written approval forged on an escalated job ----------------------------------------------------


def forge_approval(record: dict) -> None:
    record["state"] = "queued"
    record["approvals"] = [{"by": "legal-bob", "role": "legal", "note": "crowd extra, release form on file",
                            "schema": "WrittenApproval.1", "at": utcnow().isoformat()}]


def test_a_forged_written_approval_is_not_run_approved_or_exported(keyed, faces, tmp_path):
    job_id = escalated(keyed, faces, tmp_path)
    edit_row(keyed, "jobs", job_id, forge_approval, state="queued")
    one_line_error(keyed("jobs", "run"), job_id, "not what the ledger last recorded")
    one_line_error(keyed("jobs", "approve", job_id, "--note", "x"), job_id)
    one_line_error(keyed("export", job_id, tmp_path / "out"), job_id)
    assert nothing_in(tmp_path / "out")
    assert keyed("ledger", "verify").code == 1


def test_an_escalated_job_edited_in_its_row_is_neither_cleared_nor_cancelled(keyed, faces, tmp_path):
    job_id = escalated(keyed, faces, tmp_path)
    edit_row(keyed, "jobs", job_id, lambda r: r["params"].update(tool="Another Tool"))
    one_line_error(keyed("jobs", "clear", job_id, "--role", "legal", "--note", "release form R-114 on file"), job_id)
    one_line_error(keyed("jobs", "cancel", job_id, "--note", "wrong take"), job_id)
    assert keyed("ledger", "verify").code == 1  # the edit is still only in the row, never the ledger's last word


# --- B: a veto removed ------------------------------------------------------------------------------------


def test_a_veto_removed_from_a_queued_jobs_row_is_refused(keyed, faces, tmp_path):
    job_id = queued_deage(keyed, faces, tmp_path)
    assert keyed("jobs", "veto", job_id, "--talent", LEAD, "--note", NOTE, "--as", "agent-for-collins").code == 0
    edit_row(keyed, "jobs", job_id, lambda r: r.update(vetoes=[]))
    one_line_error(keyed("jobs", "run"), job_id, "not what the ledger last recorded")
    approve = keyed("jobs", "approve", job_id, "--note", "fine by me")
    assert approve.code != 0, approve
    assert keyed("ledger", "verify").code == 1


# --- C: an output asset pointed at another file -----------------------------------------------------------


def input_asset(cli, job_id: str) -> dict:
    [[record]] = sql(cli, "SELECT record FROM jobs WHERE id = :id", id=job_id)
    [[asset]] = sql(cli, "SELECT record FROM assets WHERE sha256 = :s", s=json.loads(record)["inputs"][0]["sha256"])
    return json.loads(asset)


def test_a_queued_jobs_input_pointed_at_another_stored_file_is_not_run(keyed, faces, tmp_path):
    other = output_asset(keyed, approved(keyed, faces, tmp_path))["path"]  # a signed output, de-aged twice
    job_id = queued_deage(keyed, faces, tmp_path)
    asset = input_asset(keyed, job_id)
    edit_row(keyed, "assets", asset["id"], lambda r: r.update(path=other), path=other)
    one_line_error(keyed("jobs", "run"), asset["id"], "not what the ledger last recorded")
    assert state(keyed, job_id) == "queued"


def test_a_queued_jobs_input_whose_stored_bytes_were_replaced_is_not_run(keyed, faces, tmp_path):
    job_id = queued_deage(keyed, faces, tmp_path)
    stored = Path(keyed.home) / input_asset(keyed, job_id)["path"]
    stored.chmod(0o644)
    stored.write_bytes((faces / STRANGER).read_bytes())
    one_line_error(keyed("jobs", "run"), "holds other bytes")
    assert state(keyed, job_id) == "queued"


def test_a_queued_jobs_production_renamed_in_its_record_does_not_reach_the_credentials(keyed, faces, tmp_path):
    job_id = queued_deage(keyed, faces, tmp_path)
    [[production_id]] = sql(keyed, "SELECT id FROM productions WHERE code_key = 'nightfall'")
    edit_row(keyed, "productions", production_id, lambda r: r.update(code="DAYBREAK", title="Daybreak"))
    one_line_error(keyed("jobs", "run"), production_id, "not what the ledger last recorded")
    assert sql(keyed, "SELECT state FROM jobs WHERE id = :id", id=job_id) == [("queued",)]
    one_line_error(keyed("jobs", "show", job_id), production_id)


def test_an_output_pointed_at_another_stored_file_is_not_exported(keyed, faces, tmp_path):
    job_id = approved(keyed, faces, tmp_path)
    asset = output_asset(keyed, job_id)
    [[other], *_] = sql(keyed, "SELECT path FROM assets WHERE id != :id", id=asset["id"])  # the input, say
    edit_row(keyed, "assets", asset["id"], lambda r: r.update(path=other), path=other)
    one_line_error(keyed("export", job_id, tmp_path / "out"), asset["id"])
    assert nothing_in(tmp_path / "out")


def test_an_output_pointed_outside_the_studio_is_not_exported(keyed, faces, tmp_path):
    job_id = approved(keyed, faces, tmp_path)
    asset = output_asset(keyed, job_id)
    edit_row(keyed, "assets", asset["id"], lambda r: r.update(path="/etc/hostname"), path="/etc/hostname")
    one_line_error(keyed("export", job_id, tmp_path / "out"), asset["id"])
    assert nothing_in(tmp_path / "out")


def test_an_output_whose_stored_bytes_were_replaced_is_not_exported(keyed, faces, tmp_path):
    job_id = approved(keyed, faces, tmp_path)
    asset = output_asset(keyed, job_id)
    stored = Path(keyed.home) / asset["path"]
    stored.chmod(0o644)
    stored.write_bytes((faces / STRANGER).read_bytes())
    one_line_error(keyed("export", job_id, tmp_path / "out"), asset["id"], "sha256")
    assert nothing_in(tmp_path / "out")


def test_an_output_replaced_by_a_link_out_of_the_store_is_not_exported(keyed, faces, tmp_path):
    job_id = approved(keyed, faces, tmp_path)
    asset = output_asset(keyed, job_id)
    stored = Path(keyed.home) / asset["path"]
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(stored.read_bytes())  # even the very bytes, kept outside the store, are refused
    stored.unlink()
    os.symlink(outside, stored)
    one_line_error(keyed("export", job_id, tmp_path / "out"), asset["id"], "outside")
    assert nothing_in(tmp_path / "out")


def test_a_blocked_job_shown_approved_through_its_rows_is_refused_not_shown(keyed, faces, tmp_path):
    job_id = escalated(keyed, faces, tmp_path)
    edit_row(keyed, "jobs", job_id, lambda r: r["history"][-1].update(state="approved"), state="approved")
    one_line_error(keyed("jobs", "show", job_id), job_id, "not what the ledger last recorded")


def test_a_decision_turned_to_allow_in_its_row_is_refused_not_shown(keyed, faces, tmp_path):
    job_id = escalated(keyed, faces, tmp_path)
    [[decision_id]] = sql(keyed, "SELECT id FROM decisions WHERE subject = :j AND verdict = 'escalate'", j=job_id)
    edit_row(keyed, "decisions", decision_id, lambda r: r.update(verdict="allow", reasons=[]), verdict="allow")
    one_line_error(keyed("jobs", "show", job_id), decision_id, "not what the ledger last recorded")


def test_a_revoked_grant_set_back_to_active_is_not_listed_as_active(keyed):
    grant_id = per_image_grant(keyed, "independent-replica")
    assert keyed("consent", "revoke", grant_id, "--reason", "talent withdrew").code == 0
    edit_row(keyed, "consent_grants", grant_id, lambda r: r.update(state="active", history=[]), state="active")
    listed = keyed("consent", "list", "--json")
    assert listed.code == 2 or all(g["state"] != "active" for g in json.loads(listed.out) if g["id"] == grant_id)


def test_names_changed_in_their_rows_do_not_reach_the_usage_report(keyed, faces, tmp_path):
    approved(keyed, faces, tmp_path)
    [[talent_id]] = sql(keyed, "SELECT id FROM talent WHERE name_key = 'eileen collins'")
    edit_row(keyed, "talent", talent_id, lambda r: r.update(name="Mallory Forger"))
    one_line_error(keyed("report", "usage"), talent_id)


# --- D: what is owed, under-stated through the rows --------------------------------------------------------


def usage(cli) -> tuple[int, str, str]:
    run = cli("report", "usage", "--json")
    return run.code, run.out, run.err


def test_an_approved_jobs_state_column_set_to_rejected_stops_the_report(keyed, faces, tmp_path):
    job_id = approved(keyed, faces, tmp_path)
    assert '"40.00"' in usage(keyed)[1]
    sql(keyed, "UPDATE jobs SET state = 'rejected' WHERE id = :id", id=job_id)
    one_line_error(keyed("report", "usage"), job_id)


def test_an_approved_jobs_usage_cut_in_its_record_stops_the_report(keyed, faces, tmp_path):
    job_id = approved(keyed, faces, tmp_path)
    edit_row(keyed, "jobs", job_id, lambda r: r.update(usage=[]))
    one_line_error(keyed("report", "usage"), job_id)


def test_a_grants_rate_cut_in_its_row_does_not_change_what_is_owed(keyed, faces, tmp_path):
    job_id = approved(keyed, faces, tmp_path)
    code, before, _ = usage(keyed)
    assert code == 0 and '"40.00"' in before
    [grant_id] = [u["grant_id"] for u in json.loads(keyed("jobs", "show", job_id, "--json").out)["job"]["usage"]]
    edit_row(keyed, "consent_grants", grant_id, lambda r: r["compensation"].update(rate="0.01"))
    code, after, err = usage(keyed)
    assert code == 0 and after == before, err


# --- must pass: the same flows, untouched ----------------------------------------------------------------


def test_an_untouched_escalation_is_cleared_run_approved_and_exported(keyed, faces, tmp_path):
    job_id = escalated(keyed, faces, tmp_path)
    cleared = keyed("jobs", "clear", job_id, "--role", "legal", "--note", "crowd extra, release form R-114 on file",
                    "--as", "legal-bob")
    assert cleared.code == 0, cleared.err
    run = keyed("jobs", "run")
    assert run.code == 0 and state(keyed, job_id) == "in_review", (run.out, run.err)
    assert keyed("jobs", "approve", job_id, "--note", "right for the flashback").code == 0
    exported = keyed("export", job_id, tmp_path / "out")
    assert exported.code == 0, exported.err
    [deliverable] = (tmp_path / "out").iterdir()
    assert keyed("verify", deliverable).code == 0
    assert keyed("ledger", "verify").code == 0


def test_an_untouched_veto_of_a_queued_job_still_stops_approval(keyed, faces, tmp_path):
    job_id = queued_deage(keyed, faces, tmp_path)
    assert keyed("jobs", "veto", job_id, "--talent", LEAD, "--note", NOTE, "--as", "agent-for-collins").code == 0
    run = keyed("jobs", "run")
    assert run.code == 0 and state(keyed, job_id) == "in_review", (run.out, run.err)
    approve = keyed("jobs", "approve", job_id, "--note", "fine by me")
    assert approve.code == 4 and "vetoed by agent-for-collins" in approve.err
    assert keyed("jobs", "reject", job_id, "--note", "vetoed by the talent").code == 0
    assert keyed("ledger", "verify").code == 0


def test_an_untouched_approved_job_is_exported_and_reported(keyed, faces, tmp_path):
    job_id = approved(keyed, faces, tmp_path)
    code, report, _ = usage(keyed)
    assert code == 0 and json.loads(report)["lines"][0]["owed"] == "40.00"
    assert keyed("export", job_id, tmp_path / "out").code == 0
    assert keyed("report", "usage", "--json").out == report
    assert keyed("ledger", "verify").code == 0

