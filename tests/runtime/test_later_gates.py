"""Consent is checked again at every gate where an output becomes more final: approve, export.

A grant revoked or suspended after its job reached review must stop the job there: it is blocked,
its outputs quarantined, nothing is exported and no use is metered under a grant that is not live.
"""

from __future__ import annotations

import pytest

from greenlight.domain import GrantState, Job, JobState, RateUnit, Use
from greenlight.errors import GreenlightError, LedgerError
from greenlight.runtime.consent import change_grant
from greenlight.runtime.delivery import deliver
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import review, submit
from greenlight.runtime.ledgerbook import verify_ledger
from tests.runtime.conftest import LEAD, PRODUCTION, ledger_kinds

WITHDRAWALS = [
    pytest.param(GrantState.REVOKED, id="revoked"),
    pytest.param(GrantState.SUSPENDED, id="suspended"),
]


@pytest.fixture
def in_review(cast):
    """An ingested photo of Eileen Collins, covered by a per-image grant, waiting for review."""
    grant = cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.PER_IMAGE)
    photo = cast.lead_photo
    job = submit(cast.studio, "ingest", {"tool": "HostedModel 3", "use": Use.INDEPENDENT_REPLICA.value},
                 [photo], PRODUCTION, "artist")
    job = LocalExecutor(cast.studio).run(job.id)
    assert job.state is JobState.IN_REVIEW, job.history[-1].note
    return job, grant


def withdraw(cast, grant, state: GrantState) -> None:
    change_grant(cast.studio, grant.id, state, LEAD, "withdrawn by the talent")


def roles(cast, job: Job) -> set[str]:
    with cast.studio.transaction() as tx:
        return {a.role for a in tx.registry.job_assets(job.id)}


@pytest.mark.parametrize("state", WITHDRAWALS)
def test_approval_after_a_withdrawal_blocks_and_meters_nothing(cast, in_review, state, tmp_path):
    job, grant = in_review
    withdraw(cast, grant, state)
    blocked = review(cast.studio, job.id, True, "supervisor", "looks right for the flashback")
    assert blocked.state is JobState.BLOCKED
    assert blocked.usage == ()
    assert roles(cast, blocked) == {"quarantined"}
    assert "usage.metered" not in ledger_kinds(cast.studio)
    with pytest.raises(GreenlightError):
        deliver(cast.studio, job.id, tmp_path / "out", "editor")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.parametrize("state", WITHDRAWALS)
def test_export_after_a_withdrawal_blocks_and_writes_nothing(cast, in_review, state, tmp_path):
    job, grant = in_review
    approved = review(cast.studio, job.id, True, "supervisor", "looks right for the flashback")
    assert approved.state is JobState.APPROVED and approved.usage
    withdraw(cast, grant, state)
    with pytest.raises(GreenlightError, match="consent"):
        deliver(cast.studio, job.id, tmp_path / "out", "editor")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    with cast.studio.transaction() as tx:
        after = tx.registry.get(Job, job.id)
        decisions = tx.registry.decisions(subject=job.id)
    assert after.state is JobState.BLOCKED
    assert roles(cast, after) == {"quarantined"}
    assert decisions[-1].verdict.value == "block"
    kinds = ledger_kinds(cast.studio)
    assert kinds.count("usage.metered") == 1  # metered once, while the grant was live; never again


def test_export_of_a_live_approved_job_writes_every_output(cast, in_review, tmp_path):
    job, _ = in_review
    review(cast.studio, job.id, True, "supervisor", "looks right for the flashback")
    written = deliver(cast.studio, job.id, tmp_path / "out", "editor")
    assert [p.name for p in written] == [f"{job.id}-1.png"] and written[0].stat().st_size > 0
    assert "job.exported" in ledger_kinds(cast.studio)


def test_a_job_without_signing_keys_fails_before_its_engine_runs(cast):
    import shutil

    from greenlight.runtime.signing import keys_folder

    cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.PER_IMAGE)
    photo = cast.lead_photo
    job = submit(cast.studio, "ingest", {"tool": "HostedModel 3"}, [photo], PRODUCTION, "artist")
    shutil.rmtree(keys_folder(cast.studio))
    done = LocalExecutor(cast.studio).run(job.id)
    assert done.state is JobState.FAILED
    assert JobState.RUNNING not in [t.state for t in done.history]
    assert "keys" in done.history[-1].note


def reinstate_in_the_database(cast, grant) -> None:
    """The withdrawn grant set back to active in its table, behind the ledger's back (as a database writer can)."""
    import json

    from sqlalchemy import text

    with cast.studio.database.engine.begin() as conn:
        record = json.loads(conn.execute(text("SELECT record FROM consent_grants WHERE id = :id"),
                                         {"id": grant.id}).scalar_one())
        record["state"], record["history"] = "active", []
        conn.execute(text("UPDATE consent_grants SET state = 'active', record = :r WHERE id = :id"),
                     {"r": json.dumps(record), "id": grant.id})


@pytest.mark.parametrize("state", WITHDRAWALS)
def test_a_withdrawal_undone_in_the_database_still_blocks_approval_and_export(cast, in_review, state, tmp_path):
    # The gates read the grant's row; a row set back to active let the job be approved, metered and exported
    # (`ledger verify` caught it, but only when someone ran it). The ledger's last entry about a grant decides.
    job, grant = in_review
    withdraw(cast, grant, state)
    reinstate_in_the_database(cast, grant)
    blocked = review(cast.studio, job.id, True, "supervisor", "looks right for the flashback")
    assert blocked.state is JobState.BLOCKED and blocked.usage == ()
    assert "usage.metered" not in ledger_kinds(cast.studio)
    with pytest.raises(GreenlightError):
        deliver(cast.studio, job.id, tmp_path / "out", "editor")


def test_a_grant_no_ledger_entry_wrote_covers_nothing(cast):
    import json

    from sqlalchemy import text

    grant = cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.PER_IMAGE)
    with cast.studio.database.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger_entries WHERE subject = :id"), {"id": grant.id})
        assert json.loads(conn.execute(text("SELECT record FROM consent_grants WHERE id = :id"),
                                       {"id": grant.id}).scalar_one())["state"] == "active"
    params = {"tool": "HostedModel 3", "use": Use.INDEPENDENT_REPLICA.value}
    # The ledger is now shorter than its last signed checkpoint: nothing is decided on it.
    with pytest.raises(LedgerError, match="last signed checkpoint"):
        submit(cast.studio, "ingest", params, [cast.lead_photo], PRODUCTION, "artist")
    # With the checkpoints file gone too (which `ledger verify` reports), a keyed studio's guards still stop.
    (cast.studio.home / "ledger" / "checkpoints.jsonl").unlink()
    with pytest.raises(LedgerError, match="holds no checkpoint the studio key signed"):
        submit(cast.studio, "ingest", params, [cast.lead_photo], PRODUCTION, "artist")


def _sql(cast, statement: str, **params):
    from sqlalchemy import text

    with cast.studio.database.engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return list(result) if result.returns_rows else []


def _hide_the_withdrawal(cast, grant, in_record: bool) -> None:
    # The withdrawal's subject column (which no hash covers) pointed elsewhere, so that the grant's last entry
    # is the one that granted it; with ``in_record`` its record's subject too (its hash then breaks).
    import json

    [(seq, record)] = _sql(cast, "SELECT seq, record FROM ledger_entries WHERE subject = :id AND kind LIKE "
                                 "'consent.%' ORDER BY seq DESC LIMIT 1", id=grant.id)
    event = json.loads(record)
    if in_record:
        event["subject"] = "grant_elsewhere"
    _sql(cast, "UPDATE ledger_entries SET subject = 'grant_elsewhere', record = :r WHERE seq = :s",
         r=json.dumps(event, sort_keys=True, separators=(",", ":")), s=seq)


@pytest.mark.parametrize("in_record", [False, True], ids=["column", "column-and-record"])
def test_a_withdrawal_moved_off_its_grant_in_the_ledger_still_blocks_approval(cast, in_review, in_record):
    job, grant = in_review
    withdraw(cast, grant, GrantState.REVOKED)
    _hide_the_withdrawal(cast, grant, in_record)
    with pytest.raises(GreenlightError, match="ledger entry"):
        review(cast.studio, job.id, True, "supervisor", "looks right")
    assert "usage.metered" not in ledger_kinds(cast.studio)


@pytest.mark.parametrize("in_record", [False, True], ids=["column", "column-and-record"])
def test_a_withdrawal_moved_off_its_grant_in_the_ledger_still_blocks_export(cast, in_review, in_record, tmp_path):
    job, grant = in_review
    review(cast.studio, job.id, True, "supervisor", "looks right")
    withdraw(cast, grant, GrantState.REVOKED)
    _hide_the_withdrawal(cast, grant, in_record)
    with pytest.raises(GreenlightError, match="ledger entry"):
        deliver(cast.studio, job.id, tmp_path / "out", "editor")
    assert not (tmp_path / "out").exists()


def test_a_grant_widened_in_its_table_is_not_written_into_the_ledger_by_a_suspension(cast, in_review):
    # change_grant read the grant back from its table and recorded that: a row edited to cover every
    # production until 2099 became the ledger's last word after an ordinary suspend and resume.
    import json

    job, grant = in_review
    [(record,)] = _sql(cast, "SELECT record FROM consent_grants WHERE id = :id", id=grant.id)
    forged = json.loads(record)
    forged["production_id"], forged["valid_until"] = None, "2099-01-01T00:00:00Z"
    _sql(cast, "UPDATE consent_grants SET record = :r WHERE id = :id", r=json.dumps(forged), id=grant.id)
    before = ledger_kinds(cast.studio)
    with pytest.raises(GreenlightError, match="not what the ledger last recorded"):
        withdraw(cast, grant, GrantState.SUSPENDED)
    assert ledger_kinds(cast.studio) == before
    from greenlight.runtime.scanning import consent_grants

    with cast.studio.transaction() as tx:
        [live] = [g for g in consent_grants(tx) if g.id == grant.id]
    assert (live.production_id, live.valid_until, live.state) == (grant.production_id, grant.valid_until,
                                                                  GrantState.ACTIVE)


def test_metered_use_cut_in_the_job_row_is_not_exported_into_the_ledger(cast, in_review, tmp_path):
    # Export recorded the job as its row said: use cut to 0.01 of an image became the ledger's last word.
    import json

    job, _ = in_review
    review(cast.studio, job.id, True, "supervisor", "looks right")
    [(record,)] = _sql(cast, "SELECT record FROM jobs WHERE id = :id", id=job.id)
    cut = json.loads(record)
    for usage in cut["usage"]:
        usage["quantity"] = "0.01"
    _sql(cast, "UPDATE jobs SET record = :r WHERE id = :id", r=json.dumps(cut), id=job.id)
    with pytest.raises(GreenlightError, match="not what the ledger last recorded"):
        deliver(cast.studio, job.id, tmp_path / "out", "editor")
    assert "job.exported" not in ledger_kinds(cast.studio) and not (tmp_path / "out").exists()


def test_no_deliverable_is_in_place_before_its_export_is_recorded(cast, in_review, tmp_path, monkeypatch):
    # The files were renamed into place first: a process killed before the ledger entry left a delivered
    # file the ledger never recorded. Now they are renamed only after it; a failure there leaves nothing.
    from greenlight.runtime import delivery

    job, _ = in_review
    review(cast.studio, job.id, True, "supervisor", "looks right")

    def killed(*args, **kwargs):
        assert [p for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")] == []
        raise KeyboardInterrupt  # as a kill at this moment would stop it

    monkeypatch.setattr(delivery, "record_export", killed)
    with pytest.raises(KeyboardInterrupt):
        deliver(cast.studio, job.id, tmp_path / "out", "editor")
    assert list((tmp_path / "out").iterdir()) == [] and "job.exported" not in ledger_kinds(cast.studio)
    monkeypatch.undo()
    [delivered] = deliver(cast.studio, job.id, tmp_path / "out", "editor")
    assert delivered.exists() and "job.exported" in ledger_kinds(cast.studio)


def owed_lines(cast) -> list[tuple[str, int]]:
    from greenlight.runtime.reports import usage_report

    return [(str(line.owed), line.jobs) for line in usage_report(cast.studio).lines]


@pytest.mark.parametrize("state", WITHDRAWALS)
def test_use_delivered_before_a_withdrawal_stays_owed(cast, in_review, state, tmp_path):
    # exported while the grant was live, then the grant withdrawn and a second export blocked: the first
    # delivery was used under consent and is still owed; the block stops only what had not left the studio
    job, grant = in_review
    review(cast.studio, job.id, True, "supervisor", "looks right for the flashback")
    deliver(cast.studio, job.id, tmp_path / "out", "editor")
    owed = owed_lines(cast)
    assert owed and owed[0][1] == 1
    withdraw(cast, grant, state)
    with pytest.raises(GreenlightError, match="consent"):
        deliver(cast.studio, job.id, tmp_path / "again", "editor")
    assert owed_lines(cast) == owed


@pytest.mark.parametrize("state", WITHDRAWALS)
def test_use_approved_but_never_delivered_is_not_owed_once_blocked(cast, in_review, state, tmp_path):
    job, grant = in_review
    review(cast.studio, job.id, True, "supervisor", "looks right for the flashback")
    assert owed_lines(cast)
    withdraw(cast, grant, state)
    with pytest.raises(GreenlightError, match="consent"):
        deliver(cast.studio, job.id, tmp_path / "out", "editor")
    assert owed_lines(cast) == []


def test_a_revocation_before_delivery_unmeters_an_approved_job_at_once(cast, in_review, tmp_path):
    # a revoked grant never becomes live again: what it covered and had not left the studio is owed nothing,
    # before anyone tries to export it; a suspension (a strike) may end, so its approved use stays owed
    job, grant = in_review
    review(cast.studio, job.id, True, "supervisor", "looks right for the flashback")
    withdraw(cast, grant, GrantState.SUSPENDED)
    assert owed_lines(cast)
    change_grant(cast.studio, grant.id, GrantState.ACTIVE, LEAD, "strike over")
    withdraw(cast, grant, GrantState.REVOKED)
    assert owed_lines(cast) == []


def metered_grants(cast) -> list[str]:
    from greenlight.runtime.reports import usage_report

    return [line.grant_id for line in usage_report(cast.studio).lines]


def test_a_first_delivery_under_another_live_grant_is_owed_under_that_grant(cast, in_review, tmp_path):
    # approved under one grant, which is revoked; the export goes through under a second live grant for the same
    # use: the use is owed under the grant the delivery relied on, not the revoked one
    job, first = in_review
    review(cast.studio, job.id, True, "supervisor", "looks right for the flashback")
    second = cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.FLAT)
    withdraw(cast, first, GrantState.REVOKED)
    deliver(cast.studio, job.id, tmp_path / "out", "editor")
    assert metered_grants(cast) == [second.id]
    assert "usage.metered" in ledger_kinds(cast.studio)[-4:]
    assert verify_ledger(cast.studio).ok  # the job's row and the ledger agree on the grant it is owed under


def test_use_delivered_under_a_grant_stays_owed_under_it_when_a_later_export_relies_on_another(
        cast, in_review, tmp_path):
    job, first = in_review
    review(cast.studio, job.id, True, "supervisor", "looks right for the flashback")
    deliver(cast.studio, job.id, tmp_path / "out", "editor")
    cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.FLAT)
    withdraw(cast, first, GrantState.REVOKED)
    deliver(cast.studio, job.id, tmp_path / "again", "editor")
    assert metered_grants(cast) == [first.id]
