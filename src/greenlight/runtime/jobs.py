"""Jobs as data: submit one, move it through its life cycle, review it. Every step is a ledger entry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from greenlight.domain import (
    APPROVER_ROLES,
    Asset,
    ConsentGrant,
    Job,
    JobInput,
    JobState,
    Production,
    RateUnit,
    Talent,
    Verdict,
    Veto,
    WrittenApproval,
)
from greenlight.domain.compensation import meters
from greenlight.engines.base import EngineInfo, EngineRequest, load_engine
from greenlight.errors import InvalidInput, InvalidTransition, LedgerError, NotFound, UnitMismatch, Vetoed
from greenlight.runtime.signing import record_asset
from greenlight.runtime.studio import RESTORE, Studio, Transaction


def advance(tx: Transaction, job: Job, state: JobState, actor: str, note: str = "", **details: Any) -> Job:
    """Move ``job`` to ``state``, store it, and write the ledger entry ``job.<state>``."""
    job = keep_vetoes(tx, job).to(state, by=actor, note=note)
    tx.registry.update(job)
    tx.record(f"job.{state.value}", job, actor, **details)
    return job


def ledgered_job(tx: Transaction, job_id: str) -> Job:
    """Job ``job_id`` as the ledger last recorded it, key columns included.

    The executor, `jobs clear`, `cancel` and `veto` write a job back whole, so a row edited behind the
    ledger's back (a written approval forged, a veto removed) would become the ledger's last word.

    Raises:
        NotFound: no such job.
        LedgerError: the row, its state or production column, or its production's row (whose code its
            outputs' Content Credentials name) is not what the ledger last recorded.
    """
    job = tx.ledgered(Job, job_id)
    _refuse_edited_columns(tx, [job_id])
    tx.ledgered(Production, job.production_id)
    return job


def ledgered_jobs(tx: Transaction) -> list[Job]:
    """Every job as the ledger last recorded it, oldest first (none added, deleted or edited outside it).

    Raises:
        LedgerError: naming the first job whose row, or its state or production column, the ledger did not write.
    """
    jobs = tx.ledgered_list(Job, "job.queued")
    _refuse_edited_columns(tx, None)
    return jobs


def _refuse_edited_columns(tx: Transaction, ids: list[str] | None) -> None:
    edited = tx.registry.columns_disagreeing(Job, ids)
    if edited:
        raise LedgerError(f"{edited[0]}'s row in the database is not what the ledger last recorded of it "
                          "(its state or production column was edited)", RESTORE)


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
        UnitMismatch: a grant the job relies on is paid in a unit that cannot meter what the job makes
            (nothing is stored then: no job, no input, no ledger entry).
    """
    from greenlight.media import media_kind

    engine = load_engine(engine_name)
    with studio.transaction() as tx:
        production = tx.production(production_code)
        request = EngineRequest(tuple(Path(p) for p in inputs), dict(params), seed, likeness_for(tx, params))
    engine.check_inputs(request)
    media = [media_kind(p) for p in request.inputs]
    draft = Job(engine_name, dict(params), tuple(JobInput("", Path(p).name, m) for p, m in zip(
        request.inputs, media, strict=True)), production.id, actor, seed)
    with studio.transaction() as tx:
        check_units(tx, draft, engine.info)
    try:
        stored = [studio.assets.put_file(p) for p in request.inputs]
        job_inputs = tuple(JobInput(s.sha256, i.name, i.media) for s, i in zip(stored, draft.inputs, strict=True))
        job = replace(draft, inputs=job_inputs)
        with studio.transaction() as tx:
            tx.registry.add(job)
            tx.record("job.queued", job, actor)
            for item in stored:
                record_asset(tx, item.record(studio.home), actor)
    finally:
        studio.assets.settle()  # an input stored and not recorded goes at the next start
    return job


def makes(job: Job, info: EngineInfo) -> tuple[str, ...]:
    """The media a job's outputs will be: what the engine says it makes, else the media of its inputs."""
    return info.makes or tuple(dict.fromkeys(i.media for i in job.inputs))


def relied_grants(tx: Transaction, job: Job, info: EngineInfo) -> list[ConsentGrant]:
    """The grants a job will rely on that are known before it runs: those covering the talent it alters
    (``talent_id``) and the talent its text names (file names included), as the preflight guard picks them."""
    from greenlight.policy.jobs import preflight_reasons
    from greenlight.runtime.guarding import facts

    job_facts = replace(facts(tx, job, info), alters_footage=False)  # no scans yet: consent and names only
    reasons = preflight_reasons(job_facts, ())
    ids = {r.evidence["grant_id"] for r in reasons if r.verdict is Verdict.ALLOW and "grant_id" in r.evidence}
    ids |= {r.evidence["grant_id_unmetered"] for r in reasons if "grant_id_unmetered" in r.evidence}
    return [g for g in job_facts.grants if g.id in ids]


def check_units(tx: Transaction, job: Job, info: EngineInfo) -> None:
    """Refuse a job relying on a grant whose unit cannot meter what it makes, before payday finds it out.

    Raises:
        UnitMismatch: naming the grant, its unit and what the job makes.
    """
    made = makes(job, info)
    for grant in relied_grants(tx, job, info):
        unmetered = [m for m in made if not meters(grant.compensation.unit, m)]
        if unmetered:
            names = {t.id: t.name for t in tx.registry.list(Talent)}
            raise _unit_mismatch(job, grant, names.get(grant.talent_id, grant.talent_id), unmetered)


def _unit_mismatch(job: Job, grant: ConsentGrant, holder: str, unmetered: list[str]) -> UnitMismatch:
    unit = grant.compensation.unit
    measure = "seconds of video" if unit is RateUnit.PER_SECOND else "still images"
    inputs = ", ".join(i.name for i in job.inputs) or "no input"
    fitting = RateUnit.PER_IMAGE if "image" in unmetered else RateUnit.PER_SECOND
    return UnitMismatch(
        f"grant {grant.id} ({holder}) is paid {unit.value}, which cannot meter this job: {job.engine} on {inputs} "
        f"makes {' and '.join(unmetered)} output, and the grant meters {measure}",
        f"ask for a grant paid {fitting.value} or flat for this use, or give the job the other kind of media")


def likeness_for(tx: Transaction, params: Mapping[str, Any]) -> dict[str, tuple[tuple[float, ...], ...]]:
    """The enrolled embeddings of the talent a job names (``talent_id``), for engines that find a face."""
    talent_id = params.get("talent_id")
    if not talent_id:
        return {}
    return {talent_id: tuple(r.embedding for r in tx.ledgered_references() if r.subject_id == talent_id)}


def input_paths(studio: Studio, tx: Transaction, job: Job) -> tuple[Path, ...]:
    """Where the job's inputs lie in the studio's asset store, each checked as ``input_file`` checks it."""
    return tuple(input_file(studio, tx, wanted) for wanted in job.inputs)


def input_file(studio: Studio, tx: Transaction, wanted: JobInput) -> Path:
    """The stored file of one of a job's inputs: its asset as the ledger recorded it, inside the asset store,
    holding the bytes the job names (an asset row pointed at another file had a job alter and sign that file).

    Raises:
        LedgerError: the asset's row is not what the ledger recorded, or is another file's.
        StudioError: the file lies outside the store, cannot be read or holds other bytes.
    """
    from greenlight.runtime.storedfiles import checked_file

    asset = tx.ledgered(Asset, tx.registry.asset(wanted.sha256).id)
    where = f"input {wanted.name} (asset {asset.id}, {asset.path})"
    if asset.sha256 != wanted.sha256:
        raise LedgerError(f"{where}: its row is not the file the job was given", RESTORE)
    return checked_file(studio, asset, where, _content_sha256)


_DIGESTS: dict[tuple, str] = {}  # a stored file's sha256 by what its inode says of it: hashed once a process


def _content_sha256(path: Path) -> str:
    from greenlight.store.assets import sha256_file

    stat = path.stat()
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    if key not in _DIGESTS:
        _DIGESTS[key] = sha256_file(path)
    return _DIGESTS[key]


def review(studio: Studio, job_id: str, approve: bool, actor: str, note: str) -> Job:
    """Approve or reject a job in review. Approval checks consent once more and meters the use.

    Returns:
        The job approved, rejected, or blocked (its outputs quarantined, nothing metered) when the
        consent it relies on is no longer live.

    Raises:
        InvalidInput: no note was given.
        InvalidTransition: the job is not in review.
        Vetoed: approval was asked for a job a talent vetoed (rejecting it is still possible).
    """
    from greenlight.runtime.delivery import live_usage, recheck, withhold

    if not note.strip():
        raise InvalidInput("a review needs a note saying why", "add --note TEXT")
    with studio.transaction() as tx:
        job = tx.ledgered(Job, job_id)
        if job.state is not JobState.IN_REVIEW:
            raise InvalidTransition(f"job {job_id} is {job.state.value}, not in review: only a job in review is "
                                    "approved or rejected", f"see `greenlight jobs show {job_id}` for why")
        if not approve:
            return advance(tx, job, JobState.REJECTED, actor, note)
        refuse_vetoed(tx, job)
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


def veto(studio: Studio, job_id: str, talent_id: str, actor: str, note: str) -> Job:
    """Record a talent's veto of a job that shows them, with its ledger entry ``job.vetoed``, in one transaction.

    Args:
        talent_id: the talent vetoing (id or name); ``actor`` is who acts for them (their representative).

    Raises:
        InvalidInput: no note was given.
        NotFound: no such job or talent, or the job does not show that talent.
        InvalidTransition: the job is final (approved, rejected, blocked, failed, cancelled) or this talent
            already vetoed it.
    """
    from greenlight.runtime.talentview import shows_talent

    if not note.strip():
        raise InvalidInput("a veto needs a note saying why", "add --note TEXT")
    with studio.transaction() as tx:
        job = ledgered_job(tx, job_id)
        person = tx.talent(talent_id)
        if not shows_talent(tx.registry, job, person.id):
            raise NotFound(f"job {job_id} does not show {person.name}",
                           "a talent vetoes only drafts that show them")
        if job.state.final:
            raise InvalidTransition(f"job {job_id} is {job.state.value}: a veto is recorded only before a job is "
                                    "final", "ask the studio to withdraw the output instead")
        if any(v.talent_id == person.id for v in job.vetoes):
            raise InvalidTransition(f"job {job_id} is already vetoed for {person.name}")
        job = replace(job, vetoes=(*job.vetoes, Veto(talent_id=person.id, by=actor, note=note.strip())))
        tx.registry.update(job)
        tx.record("job.vetoed", job, actor, talent_id=person.id, note=note.strip())
        return job


def refuse_vetoed(tx: Transaction, job: Job) -> None:
    """Raise Vetoed, saying who vetoed and why, when any talent vetoed ``job``."""
    if not job.vetoes:
        return
    first = job.vetoes[0]
    names = {t.id: t.name for t in tx.registry.list(Talent)}
    who = f"{first.by} for {names.get(first.talent_id, first.talent_id)}"
    more = f" (and {len(job.vetoes) - 1} more veto(es))" if len(job.vetoes) > 1 else ""
    raise Vetoed(f"job {job.id} was vetoed by {who}: {first.note}{more}; approval is blocked",
                 f"a vetoed draft can only be rejected: `greenlight jobs reject {job.id} --note TEXT`")


def keep_vetoes(tx: Transaction, job: Job) -> Job:
    """``job`` with every veto stored for it now: a veto may land while an executor holds an older copy.

    Raises:
        LedgerError: the stored job is not what the ledger last recorded (a veto removed from its row).
    """
    try:
        stored = ledgered_job(tx, job.id)
    except NotFound:
        return job
    known = set(job.vetoes)
    missing = tuple(v for v in stored.vetoes if v not in known)
    return replace(job, vetoes=(*job.vetoes, *missing)) if missing else job


def cancel(studio: Studio, job_id: str, actor: str, note: str = "") -> Job:
    """Cancel a job that has not reached review. Raises InvalidTransition otherwise."""
    with studio.transaction() as tx:
        return advance(tx, ledgered_job(tx, job_id), JobState.CANCELLED, actor, note)


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
        job = ledgered_job(tx, job_id)
        if job.state is not JobState.ESCALATED:
            raise InvalidTransition(f"job {job_id} is {job.state.value}, not escalated",
                                    "a written approval clears an escalation only; a block needs consent")
        approval = WrittenApproval(by=actor, role=role, note=note.strip())
        job = replace(job, approvals=(*job.approvals, approval))
        return advance(tx, job, JobState.QUEUED, actor, f"written approval ({role}): {note.strip()}")
