"""De-aging jobs end to end on a take with a zoom and sound (built from the sample stills).

Consent, no consent, revocation mid-run, a killed executor.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from greenlight.domain import Job, JobState, Use
from greenlight.errors import GreenlightError
from greenlight.runtime.consent import change_grant
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import review, submit
from greenlight.runtime.verification import verify_file
from tests.runtime.conftest import LEAD, PRODUCTION, ledger_kinds


def deage(cast, clip) -> Job:
    params = {"talent_id": cast.lead.id, "years": 20, "reshape": True}
    return submit(cast.studio, "deage", params, [clip], PRODUCTION, "editor", seed=1)


def assets_of(cast, job: Job):
    with cast.studio.transaction() as tx:
        return tx.registry.job_assets(job.id)


def test_with_consent_the_output_is_signed_and_waits_for_review(cast, take):
    from greenlight.media import probe_video

    grant = cast.grant(cast.lead, Use.DIGITAL_ALTERATION)
    job = LocalExecutor(cast.studio).run(deage(cast, take).id)
    assert job.state is JobState.IN_REVIEW, job.history[-1].note
    assert job.grant_ids == (grant.id,)
    [output] = [a for a in assets_of(cast, job) if a.role == "output"]
    signed = cast.studio.home / output.path
    result = verify_file(cast.studio, signed)
    assert result.verified, result.reason
    assert "c2pa.edited" in [a.action for a in result.manifest.actions]
    assert [(i.title, i.relationship) for i in result.manifest.ingredients] == [("take.mp4", "parentOf")]
    before, after = probe_video(take), probe_video(signed)
    assert (after.width, after.height, after.frame_count, after.has_audio) == (640, 360, 48, True)
    assert after.fps == pytest.approx(before.fps, rel=1e-3)
    approved = review(cast.studio, job.id, True, "supervisor", "looks right for the flashback")
    [usage] = approved.usage
    assert usage.grant_id == grant.id and 1.0 < usage.quantity <= 48 / before.fps + 0.01
    assert "usage.metered" in ledger_kinds(cast.studio)


def test_without_consent_it_is_blocked_before_the_engine_runs(cast, take):
    job = LocalExecutor(cast.studio).run(deage(cast, take).id)
    assert job.state is JobState.BLOCKED
    assert JobState.RUNNING not in [t.state for t in job.history]
    assert [a.role for a in assets_of(cast, job)] == []  # only the input was stored, as an input
    with cast.studio.transaction() as tx:
        [decision] = tx.registry.decisions(subject=job.id)
    assert [r.code for r in decision.reasons] == ["consent.missing"]
    assert not list((cast.studio.home / "work").glob(f"{job.id}*"))


def test_consent_revoked_during_the_run_stops_publication(cast, take):
    grant = cast.grant(cast.lead, Use.DIGITAL_ALTERATION)
    revoked = []

    def revoke_midway(fraction: float, message: str) -> None:
        if fraction > 0.3 and not revoked:
            revoked.append(change_grant(cast.studio, grant.id, grant.state.REVOKED, LEAD, "withdrawn"))

    job = LocalExecutor(cast.studio).run(deage(cast, take).id, revoke_midway)
    assert revoked and job.state is JobState.BLOCKED
    assert {a.role for a in assets_of(cast, job)} == {"quarantined"}
    assert "asset.signed" not in ledger_kinds(cast.studio)
    with pytest.raises(GreenlightError):
        review(cast.studio, job.id, True, "supervisor", "trying to approve a blocked job")


def test_a_killed_executor_leaves_a_job_that_runs_again_cleanly(cast, take):
    cast.grant(cast.lead, Use.DIGITAL_ALTERATION)
    job = deage(cast, take)
    script = (
        "import sys; from pathlib import Path; from greenlight.runtime.studio import Studio; "
        "from greenlight.runtime.executor import LocalExecutor; "
        "LocalExecutor(Studio.open(Path(sys.argv[1])), lease_seconds=2).run_queued()"
    )
    worker = subprocess.Popen([sys.executable, "-c", script, str(cast.studio.home)], env={**os.environ})
    try:
        state = _wait_for(cast, job.id, JobState.RUNNING, worker)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert state is JobState.RUNNING
    assert assets_of(cast, job) == []  # nothing half-published
    time.sleep(2.5)  # the dead executor's lease runs out
    [done] = LocalExecutor(cast.studio, lease_seconds=60).run_queued()
    assert done.id == job.id and done.state is JobState.IN_REVIEW, done.history[-1].note
    assert any("lease ran out" in t.note for t in done.history)
    assert [a.role for a in assets_of(cast, done)] == ["output"]


def _wait_for(cast, job_id: str, state: JobState, worker, seconds: float = 120) -> JobState:
    deadline = time.time() + seconds
    while time.time() < deadline and worker.poll() is None:
        with cast.studio.transaction() as tx:
            current = tx.registry.get(Job, job_id).state
        if current is state:
            return current
        time.sleep(0.05)
    return current
