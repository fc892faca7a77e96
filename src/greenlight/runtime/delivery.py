"""The gates after review: consent is checked again wherever an output becomes more final.

A job's outputs pass preflight, postflight and publish while the job runs; after that they become
more final twice: when a reviewer approves them and when they are exported as deliverables. A grant
suspended or revoked in between stops the job at whichever gate comes next: it is blocked, its
outputs are quarantined (kept, never published) and no use is metered under a grant that is not live.
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from greenlight.domain import Asset, Decision, Job, JobState, Usage, Verdict
from greenlight.errors import Blocked, InvalidTransition, StudioError
from greenlight.runtime import guarding
from greenlight.runtime.jobs import advance, ledgered_job
from greenlight.runtime.storedfiles import checked_file, other_bytes
from greenlight.runtime.studio import RESTORE, Studio, Transaction
from greenlight.store import inflight


def recheck(tx: Transaction, job: Job, actor: str, stage: str) -> Decision:
    """Consent for everyone the job relies on, checked now and recorded as the ``stage`` decision."""
    return guarding.record(tx, guarding.at_publish(tx, job), actor, job, stage)


def withhold(tx: Transaction, job: Job, decision: Decision, actor: str) -> Job:
    """Block a reviewed or approved job whose consent is no longer live; quarantine its outputs."""
    for asset_id in job.outputs:
        asset = tx.ledgered(Asset, asset_id)  # written back whole: an edited row must not become the ledger's word
        if asset.role != "quarantined":
            held = tx.registry.update(replace(asset, role="quarantined"))
            tx.record("asset.quarantined", held, actor, job_id=job.id)
    return advance(tx, job, JobState.BLOCKED, actor, guarding.summary(decision))


def live_usage(job: Job, decision: Decision) -> tuple[Usage, ...]:
    """The job's metered use, each under the grant that covers it now (never one no longer live)."""
    covering = {r.subject_id: r.evidence["grant_id"] for r in decision.reasons
                if r.verdict is Verdict.ALLOW and "grant_id" in r.evidence}
    return tuple(replace(u, grant_id=covering[u.talent_id]) for u in job.usage if u.talent_id in covering)


def remeter(tx: Transaction, job: Job, usage: tuple[Usage, ...], actor: str) -> Job:
    """Before a job's first delivery, its use moved under the grants that cover the delivery, where they are
    others than approval's (that grant revoked since, another live one for the use relied on): the use is owed
    under the consent it was delivered under. A job already delivered keeps the grants it was delivered under.
    """
    if usage == job.usage:
        return job
    job = replace(job, usage=usage)
    tx.registry.update(job)
    tx.record("job.remetered", job, actor)
    for use in usage:
        tx.ledger_event("usage.metered", job.id, actor, grant_id=use.grant_id, talent_id=use.talent_id,
                        unit=use.unit, quantity=use.quantity)
    return job


def cleared_outputs(studio: Studio, job_id: str, actor: str, gate: str = "export") -> tuple[Job, list[Asset]]:
    """An approved job and its signed outputs, once its consent has been checked again at ``gate``.

    Raises:
        InvalidTransition: the job is not approved.
        LedgerError: the job's or an output's row is not what the ledger last recorded (nothing is recorded).
        StudioError: an output's file is not the one the ledger recorded (see ``stored_output``).
        Blocked: consent is no longer live; the job is now blocked and its outputs quarantined.
    """
    with studio.transaction() as tx:
        job = ledgered_job(tx, job_id)
        if job.state is not JobState.APPROVED:
            hint = "a reviewer approves it with `greenlight jobs approve`" if job.state is JobState.IN_REVIEW else ""
            raise InvalidTransition(f"job {job.id} is {job.state.value}: only approved outputs are exported", hint)
        assets = [stored_output(studio, tx, a) for a in job.outputs]  # before the gate's decision is recorded
        decision = recheck(tx, job, actor, gate)
        if decision.verdict is not Verdict.ALLOW:
            job = withhold(tx, job, decision, actor)
        elif job.id not in delivered_jobs(tx):
            job = remeter(tx, job, live_usage(job, decision), actor)
    if job.state is JobState.BLOCKED:
        raise Blocked(f"job {job.id} was not exported: consent is no longer live ({guarding.summary(decision)}); "
                      "it is blocked and its outputs are quarantined", "new consent is needed for a new job")
    return job, assets


def stored_output(studio: Studio, tx: Transaction, asset_id: str) -> Asset:
    """Output ``asset_id`` as the ledger recorded it, once its file is checked (see ``checked_file``).

    Raises:
        LedgerError: the asset's row is not what the ledger last recorded (its path pointed at another file).
        StudioError: its file lies outside the asset store, cannot be read, or holds other bytes.
    """
    asset = tx.ledgered(Asset, asset_id)
    checked_file(studio, asset, _where(asset))
    return asset


def copy_recorded(studio: Studio, asset: Asset, out: BinaryIO) -> None:
    """Copy ``asset``'s stored file into ``out`` once, hashing the very bytes copied: what was written is what
    the ledger recorded, whatever happened to the file since it was checked. On an error ``out`` holds bytes
    that must not be delivered.

    Raises:
        StudioError: the file cannot be opened, or the bytes copied are not those the ledger recorded.
        OSError: reading it or writing ``out`` failed part-way.
    """
    from greenlight.store.assets import copy_hashing

    try:
        stored = open(studio.home / asset.path, "rb")  # noqa: SIM115 (closed below; errors told apart from out's)
    except OSError as exc:
        raise StudioError(f"{_where(asset)} cannot be read ({exc.strerror or exc})", RESTORE) from None
    with stored:
        digest = copy_hashing(stored, out)
    if digest != asset.sha256:
        raise other_bytes(_where(asset), digest, asset.sha256)


def _where(asset: Asset) -> str:
    return f"asset {asset.id}'s file {asset.path}"


def delivered_jobs(tx: Transaction) -> set[str]:
    """The ids of the jobs whose outputs left the studio (exported or downloaded), as the ledger recorded it."""
    return set(tx.ledger.subjects_of("job.exported"))


def record_export(studio: Studio, job: Job, actor: str, files: list[str], **details: object) -> None:
    """The ledger entry saying which of a job's outputs left the studio, and as what."""
    with studio.transaction() as tx:
        tx.record("job.exported", job, actor, files=files, **details)


def deliver(studio: Studio, job_id: str, folder: Path, actor: str) -> list[Path]:
    """Copy an approved job's signed outputs into ``folder``, after checking its consent once more.

    Returns:
        The deliverables written, ``<job id>-<n><suffix>``; an EXR frame with its sidecar manifest
        ``<job id>-<n>.c2pa`` beside it.

    Raises:
        InvalidTransition: the job is not approved.
        MediaError: ``folder`` cannot be made or written; no file is left half-written there.
        Blocked: consent is no longer live; the job is now blocked and nothing was written.
        StudioError: an output's stored file is not the one the ledger recorded, when checked or as it was
            copied; nothing is delivered and no export is recorded.
    """
    from greenlight.media import atomic_output

    _check_folder(folder)  # before the export gate is recorded: a folder that cannot be written changes nothing
    _remove_stale_copies(folder, job_id)  # even when the gate then blocks the export
    job, assets = cleared_outputs(studio, job_id, actor)
    _make_folder(folder)
    written = []
    # Every file is copied under a temporary name, the export is recorded, and only then are the files
    # renamed into place: a process killed before the record leaves no deliverable the ledger does not
    # know of (the temporary files are in the studio's in-flight list, and go at its next start), one
    # killed after it at worst a recorded export whose files are missing, which exporting again writes.
    # Each copy is checked against the recorded sha256 as it is made, before the record: bytes swapped into
    # the store after the gate's check are never delivered, nor recorded as exported.
    listed = inflight.start(inflight.folder_of(studio.home), "export")
    try:
        with contextlib.ExitStack() as renames:
            for n, asset in enumerate(assets, 1):
                target = folder / f"{job.id}-{n}{Path(asset.path).suffix}"
                sidecar = studio.assets.sidecar_for(asset.sha256)
                _copy_into(studio, asset, _listed(listed, renames.enter_context(atomic_output(target))))
                if sidecar is not None:  # an EXR travels with its Content Credentials beside it (<name>.c2pa)
                    shutil.copyfile(sidecar, _listed(listed, renames.enter_context(_beside(target, sidecar))))
                written += [target, target.with_suffix(".c2pa")] if sidecar is not None else [target]
            record_export(studio, job, actor, [p.name for p in written])
    finally:
        listed.drop()  # renamed into place, or removed by atomic_output: nothing is left to sweep
    for path in written:
        path.chmod(0o644)
    return written


def _copy_into(studio: Studio, asset: Asset, temporary: Path) -> None:
    try:
        with open(temporary, "wb") as out:
            copy_recorded(studio, asset, out)
    except OSError as exc:
        from greenlight.errors import MediaError

        raise MediaError(temporary.parent, f"cannot be written ({exc.strerror or exc})",
                         "give a folder you can write to") from None


def _listed(listed: inflight.InFlightList, temporary: Path) -> Path:
    listed.add(str(temporary.absolute()))
    return temporary


def _remove_stale_copies(folder: Path, job_id: str) -> None:
    """Remove the copies an export of ``job_id`` killed before its record left in ``folder`` under temporary
    names (``.<job id>-<n>.….tmp<suffix>``), unless a live export is writing them."""
    import glob

    if Path(folder).is_dir():
        for temporary in Path(folder).glob(f".{glob.escape(job_id)}-*.tmp*"):
            inflight.remove_unheld(temporary)


def _check_folder(folder: Path) -> None:
    """Refuse a folder that cannot be made or written: its nearest existing part must be a writable folder."""
    import os

    from greenlight.errors import MediaError

    there = Path(folder).absolute()
    while not there.exists() and there != there.parent:
        there = there.parent
    if not there.is_dir():
        raise MediaError(folder, f"cannot be made a folder for the deliverables ({there.name} is a file)",
                         "give a folder you can write to")
    if not os.access(there, os.W_OK | os.X_OK):
        raise MediaError(folder, f"cannot be written ({there} is not writable)", "give a folder you can write to")


def _make_folder(folder: Path) -> None:
    from greenlight.errors import MediaError

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise MediaError(folder, f"cannot be made a folder for the deliverables ({e.strerror or e})",
                         "give a folder you can write to") from None


def _beside(target: Path, sidecar: Path | None):
    """The atomic output of ``target``'s sidecar manifest, or nothing to write when it has none."""
    import contextlib

    from greenlight.media import atomic_output

    return atomic_output(target.with_suffix(".c2pa")) if sidecar is not None else contextlib.nullcontext()
