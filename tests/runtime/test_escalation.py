"""An escalated job waits for a written approval by a role allowed to give it; a block never does."""

from __future__ import annotations

import pytest

from greenlight.domain import JobState, Use
from greenlight.errors import InvalidInput, InvalidTransition
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import clear_escalation, submit
from tests.runtime.conftest import PRODUCTION, ledger_kinds


def ingest(cast, photo):
    params = {"tool": "Vendor Paint", "use": Use.PREVIS.value}
    job = submit(cast.studio, "ingest", params, [photo], PRODUCTION, "artist")
    return LocalExecutor(cast.studio).run(job.id)


def roles(cast, job) -> set[str]:
    with cast.studio.transaction() as tx:
        return {tx.registry.asset(a).role for a in job.outputs}


def test_an_unknown_face_waits_for_legal_then_runs(cast):
    job = ingest(cast, cast.faces / "obama" / "obama.jpg")  # nobody enrolled or protected him
    assert job.state is JobState.ESCALATED
    assert roles(cast, job) == {"input"}  # an ingested file is its own output: held as it came, never signed
    assert "asset.quarantined" in ledger_kinds(cast.studio) and "asset.signed" not in ledger_kinds(cast.studio)
    with pytest.raises(InvalidInput, match="cannot give written approval"):
        clear_escalation(cast.studio, job.id, "Sam", "director", "he signed a release form on set")
    with pytest.raises(InvalidInput, match="too short for a written approval"):
        clear_escalation(cast.studio, job.id, "Dana", "legal", "ok")
    cleared = clear_escalation(cast.studio, job.id, "Dana", "legal", "crowd extra, release form R-114 on file")
    assert cleared.state is JobState.QUEUED and cleared.approvals[-1].role == "legal"
    [done] = LocalExecutor(cast.studio).run_queued()
    assert done.id == job.id and done.state is JobState.IN_REVIEW, done.history[-1].note
    assert "output" in roles(cast, done)
    kinds = ledger_kinds(cast.studio)
    assert kinds.index("job.escalated") < kinds.index("job.queued", kinds.index("job.escalated")) < kinds.index(
        "job.in_review")


def test_a_block_is_never_cleared_by_a_written_approval(cast):
    job = ingest(cast, cast.lead_photo)  # no grant for previs
    assert job.state is JobState.BLOCKED
    with pytest.raises(InvalidTransition, match="not escalated"):
        clear_escalation(cast.studio, job.id, "Dana", "legal", "we will sort the paperwork later")
