"""Jobs as data: submit one, move it through its life cycle, review it. Every step is a ledger entry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from greenlight.domain import (
    APPROVER_ROLES,
    Job,
    JobInput,
    JobState,
    Verdict,
    WrittenApproval,
)
from greenlight.engines.base import EngineRequest, load_engine
from greenlight.errors import InvalidInput, InvalidTransition
from greenlight.runtime.signing import record_asset
from greenlight.runtime.studio import Studio, Transaction


def advance(tx: Transaction, job: Job, state: JobState, actor: str, note: str = "", **details: Any) -> Job:
    """Move ``job`` to ``state``, store it, and write the ledger entry ``job.<state>``."""
    job = job.to(state, by=actor, note=note)
    tx.registry.update(job)
    tx.record(f"job.{state.value}", job, actor, **details)
    return job


def submit(
    studio: Studio,
    engine_name: str,
    params: Mapping[str, Any],
    inputs: Sequence[Path],
    production_code: str,
    actor: str,
    seed: int = 0,
) -> Job:
    """Queue a job after the engine has checked its inputs; the inputs are stored by content hash.

    Raises:
        NotFound: no such engine or production.
        InvalidInput: the engine refuses the parameters or inputs.
        MediaError: an input cannot be read.
    """
    from greenlight.media import media_kind

    engine = load_engine(engine_name)
    with studio.transaction() as tx:
        production = tx.registry.production(production_code)
        request = EngineRequest(tuple(Path(p) for p in inputs), dict(params), seed, likeness_for(tx, params))
    engine.check_inputs(request)
    stored = [studio.assets.put_file(p) for p in request.inputs]
    job_inputs = tuple(
        JobInput(s.sha256, Path(p).name, media_kind(p)) for s, p in zip(stored, request.inputs, strict=True)
    )
    job = Job(engine_name, dict(params), job_inputs, production.id, actor, seed)
    with studio.transaction() as tx:
        tx.registry.add(job)
        tx.record("job.queued", job, actor)
        for item in stored:
            record_asset(tx, item.record(studio.home), actor)
    return job


def likeness_for(tx: Transaction, params: Mapping[str, Any]) -> dict[str, tuple[tuple[float, ...], ...]]:
    """The enrolled embeddings of the talent a job names (``talent_id``), for engines that find a face."""
    talent_id = params.get("talent_id")
    if not talent_id:
        return {}
    return {talent_id: tuple(r.embedding for r in tx.registry.references() if r.subject_id == talent_id)}


def input_paths(studio: Studio, tx: Transaction, job: Job) -> tuple[Path, ...]:
    """Where the job's inputs lie in the studio's asset store."""
    return tuple(studio.home / tx.registry.asset(i.sha256).path for i in job.inputs)


def review(studio: Studio, job_id: str, approve: bool, actor: str, note: str) -> Job:
    """Approve or reject a job in review. Approval checks consent once more and meters the use.

    Returns:
        The job approved, rejected, or blocked (its outputs quarantined, nothing metered) when the
        consent it relies on is no longer live.

    Raises:
        InvalidInput: no note was given.
        InvalidTransition: the job is not in review.
    """
    from greenlight.runtime.delivery import live_usage, recheck, withhold

    if not note.strip():
        raise InvalidInput("a review needs a note saying why", "add --note TEXT")
    with studio.transaction() as tx:
        job = tx.registry.get(Job, job_id)
        if job.state is not JobState.IN_REVIEW:
            raise InvalidTransition(f"job {job_id} is {job.state.value}, not in review: only a job in review is "
                                    "approved or rejected", f"see `greenlight jobs show {job_id}` for why")
        if not approve:
            return advance(tx, job, JobState.REJECTED, actor, note)
        decision = recheck(tx, job, actor, "approve")
        if decision.verdict is not Verdict.ALLOW:
            return withhold(tx, replace(job, usage=()), decision, actor)
        job = advance(tx, replace(job, usage=live_usage(job, decision)), JobState.APPROVED, actor, note)
        for usage in job.usage:
            tx.ledger_event(
                "usage.metered",
                job.id,
                actor,
                grant_id=usage.grant_id,
                talent_id=usage.talent_id,
                unit=usage.unit,
                quantity=usage.quantity,
            )
        return job


def cancel(studio: Studio, job_id: str, actor: str, note: str = "") -> Job:
    """Cancel a job that has not reached review. Raises InvalidTransition otherwise."""
    with studio.transaction() as tx:
        return advance(tx, tx.registry.get(Job, job_id), JobState.CANCELLED, actor, note)


def clear_escalation(studio: Studio, job_id: str, actor: str, role: str, note: str) -> Job:
    """Record a written approval for an escalated job and queue it again.

    Raises:
        InvalidInput: the role may not give written approval, or the note is empty.
        InvalidTransition: the job is not escalated.
    """
    if role not in APPROVER_ROLES:
        raise InvalidInput(
            f"the role {role!r} cannot give written approval", f"use one of: {', '.join(APPROVER_ROLES)}"
        )
    if len(note.split()) < 3:
        raise InvalidInput(f"the note {note.strip()!r} is too short for a written approval",
                           "say in a few words what was approved and why (three words at least)")
    with studio.transaction() as tx:
        job = tx.registry.get(Job, job_id)
        if job.state is not JobState.ESCALATED:
            raise InvalidTransition(f"job {job_id} is {job.state.value}, not escalated",
                                    "a written approval clears an escalation only; a block needs consent")
        approval = WrittenApproval(by=actor, role=role, note=note.strip())
        job = replace(job, approvals=(*job.approvals, approval))
        return advance(tx, job, JobState.QUEUED, actor, f"written approval ({role}): {note.strip()}")
