"""The local executor: runs queued jobs under a lease, wrapping every engine in the guards.

    preflight guard → engine → postflight guard → sign + watermark → consent re-checked → in review

Each stage is its own transaction, so a job's state always says where it is. Nothing is published
until the last transaction, which records the signed outputs and moves the job to review together:
an executor that dies on the way leaves a job whose lease runs out, and the next executor runs it
again from the start (same spec, same seed, same output) or, after repeated deaths, fails it.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from greenlight.domain import Decision, Job, JobState, Verdict
from greenlight.engines.base import EngineOutput, EngineRequest, load_engine
from greenlight.errors import GreenlightError, InvalidTransition
from greenlight.runtime import guarding
from greenlight.runtime.jobs import advance, input_paths, keep_vetoes, ledgered_job, likeness_for
from greenlight.runtime.signing import identity, quarantine, record_asset, record_quarantined, sign_output
from greenlight.runtime.studio import Studio
from greenlight.store import leases

Progress = Callable[[float, str], None]
ACTIVE = (JobState.PREFLIGHT, JobState.RUNNING, JobState.POSTFLIGHT)
MAX_RESTARTS = 2


class LocalExecutor:
    """Runs jobs in this process. Several executors may share a studio: leases keep them apart."""

    def __init__(self, studio: Studio, lease_seconds: float | None = None, owner: str | None = None) -> None:
        self.studio = studio
        self.owner = owner or leases.owner()
        self.lease_seconds = lease_seconds or float(os.environ.get("GREENLIGHT_LEASE_SECONDS", "600"))
        self._renewed = 0.0

    def recover(self) -> list[Job]:
        """Queue again (or fail, after repeated deaths) every job whose executor stopped mid-way: its
        lease ran out, or its process on this machine is gone."""
        recovered = []
        with self.studio.transaction() as tx:
            session, states, now = tx.registry.session, tuple(s.value for s in ACTIVE), time.time()
            for job_id in leases.abandoned(session, states, now) + leases.dead_holders(session, states, now):
                leases.forfeit(session, job_id)
                job = ledgered_job(tx, job_id)
                restarts = sum(1 for t in job.history if t.state is JobState.QUEUED and "lease ran out" in t.note)
                if restarts >= MAX_RESTARTS:
                    job = advance(tx, job, JobState.FAILED, self.owner, "its executor stopped repeatedly; not retried")
                else:
                    why = "its executor stopped (lease ran out or process gone); runs again"
                    job = advance(tx, job, JobState.QUEUED, self.owner, why)
                recovered.append(job)
        for job in recovered:
            shutil.rmtree(self._workdir(job.id), ignore_errors=True)
        return recovered

    def run_queued(self, progress: Progress | None = None) -> list[Job]:
        """Recover abandoned jobs, then run every queued job, oldest first; a job another executor (a
        `greenlight serve` on the same studio) took since the queue was read is left to it, not an error."""
        self.recover()
        with self.studio.transaction() as tx:
            queued = [j.id for j in tx.registry.jobs(JobState.QUEUED.value)]
        done = []
        for job_id in queued:
            try:
                done.append(self.run(job_id, progress))
            except InvalidTransition:  # only the claim raises it: taken elsewhere, or no longer queued
                continue
        return done

    def run(self, job_id: str, progress: Progress | None = None) -> Job:
        """Run one queued job through every stage; returns it in its resulting state.

        Raises:
            InvalidTransition: the job is not queued, or another executor holds its lease.
        """
        report = self._in_user_words(job_id, progress) if progress else (lambda fraction, message: None)
        self._claim(job_id)
        try:
            identity(self.studio)  # what the job needs to finish, checked before any work is done
            job, input_scans = self._preflight(job_id, report)
            if job.state is JobState.RUNNING:
                outputs = self._engine(job, report)
                job = self._postflight(job, input_scans, outputs, report)
            return job
        except GreenlightError as error:
            return self._fail(job_id, self._in_user_terms(job_id, error.one_line()))
        except Exception as error:  # an engine bug must still end the job cleanly, and be seen
            self._fail(job_id, f"{type(error).__name__}: {error}")
            raise
        finally:
            with self.studio.transaction() as tx:
                leases.release(tx.registry.session, job_id, self.owner)
            # Outputs live in the asset store by now, recorded, or never to be: a stored file no row
            # records goes at the next start. A re-run starts from a clean folder anyway.
            self.studio.assets.settle()
            shutil.rmtree(self._workdir(job_id), ignore_errors=True)

    def _claim(self, job_id: str) -> None:
        with self.studio.transaction() as tx:
            job = ledgered_job(tx, job_id)
            if job.state is not JobState.QUEUED:
                raise InvalidTransition(f"job {job_id} is {job.state.value}, not queued")
            if not leases.claim(tx.registry.session, job_id, self.owner, time.time(), self.lease_seconds):
                raise InvalidTransition(f"job {job_id} is being run by another executor")
        self._renewed = time.time()

    def _preflight(self, job_id: str, report: Progress) -> tuple[Job, list]:
        with self.studio.transaction() as tx:
            job = advance(tx, ledgered_job(tx, job_id), JobState.PREFLIGHT, self.owner)
        report(0.0, "preflight: screening text and input faces")
        looking = f"preflight: faces in {_names(job)}"
        decision, scans = guarding.preflight(self.studio, job, self._scan_progress(report, 0.0, 0.1, looking))
        with self.studio.transaction() as tx:
            guarding.record(tx, decision, self.owner, job, "preflight")
            job = ledgered_job(tx, job_id)
            if decision.verdict is Verdict.ALLOW:
                job = _with_grants(job, decision)  # stored and recorded by advance, with the new state
            job = advance(tx, job, _next(decision, JobState.RUNNING), self.owner, guarding.summary(decision))
        return job, scans

    def _engine(self, job: Job, report: Progress) -> list[EngineOutput]:
        engine = load_engine(job.engine)
        workdir = self._workdir(job.id)
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        with self.studio.transaction() as tx:
            request = EngineRequest(
                input_paths(self.studio, tx, job), job.params, job.seed, likeness_for(tx, job.params)
            )

        def engine_progress(fraction: float, message: str) -> None:
            self._keep_lease(job.id)
            report(0.1 + 0.7 * fraction, message)

        return engine.run(request, workdir, engine_progress)

    def _postflight(self, job: Job, input_scans: list, outputs: list[EngineOutput], report: Progress) -> Job:
        with self.studio.transaction() as tx:
            job = advance(tx, job, JobState.POSTFLIGHT, self.owner)
        report(0.8, "postflight: scanning every output frame")
        looking = "postflight: faces in the output" + (f" of {_names(job)}" if job.inputs else "")
        decision, usage = guarding.postflight(
            self.studio, job, input_scans, outputs, self._scan_progress(report, 0.8, 0.15, looking)
        )
        if decision.verdict is not Verdict.ALLOW:
            return self._hold(job, decision, outputs, "postflight")
        report(0.95, "signing and watermarking")
        job = _with_grants(job, decision)
        signed = [sign_output(self.studio, o.path, guarding.output_spec(self.studio, job, o)) for o in outputs]
        said = "; ".join(str(o.notes["summary"]) for o in outputs if o.notes.get("summary"))
        return self._publish(job, decision, signed, usage, said)

    def _publish(self, job: Job, postflight: Decision, signed: list, usage, said: str = "") -> Job:
        """The last transaction: consent checked once more, then the outputs go to review, or nowhere."""
        from dataclasses import replace

        with self.studio.transaction() as tx:
            guarding.record(tx, postflight, self.owner, job, "postflight")
            decision = guarding.at_publish(tx, job)
            guarding.record(tx, decision, self.owner, job, "publish")
            if decision.verdict is not Verdict.ALLOW:
                held = [record_quarantined(tx, a, self.owner, job.id) for a in signed]
                job = replace(keep_vetoes(tx, job), outputs=tuple(a.id for a in held))
                return advance(tx, job, _next(decision, JobState.IN_REVIEW), self.owner, guarding.summary(decision))
            assets = [record_asset(tx, a, self.owner, job_id=job.id) for a in signed]
            # A veto recorded while the engine ran is in the store, not in this copy: keep it.
            job = replace(keep_vetoes(tx, job), outputs=tuple(a.id for a in assets), usage=tuple(usage))
            note = "signed outputs ready for review" + (f"; {said}" if said else "")
            return advance(tx, job, JobState.IN_REVIEW, self.owner, note)

    def _hold(self, job: Job, decision: Decision, outputs: list[EngineOutput], stage: str) -> Job:
        """Quarantine the outputs of a blocked or escalated job: kept for the record, never published."""
        from dataclasses import replace

        held = [quarantine(self.studio, o.path, job.id) for o in outputs]
        with self.studio.transaction() as tx:
            guarding.record(tx, decision, self.owner, job, stage)
            held = [record_quarantined(tx, a, self.owner, job.id) for a in held]
            job = replace(keep_vetoes(tx, job), outputs=tuple(a.id for a in held))
            return advance(tx, job, _next(decision, JobState.IN_REVIEW), self.owner, guarding.summary(decision))

    def _fail(self, job_id: str, why: str) -> Job:
        with self.studio.transaction() as tx:
            job = ledgered_job(tx, job_id)  # a failure is not written over a forged row either
            if job.state.final:
                return job
            return advance(tx, job, JobState.FAILED, self.owner, why)

    def _in_user_terms(self, job_id: str, message: str) -> str:
        """The message with the studio's internal paths replaced by the files the user knows."""
        with self.studio.transaction() as tx:
            job = tx.registry.get(Job, job_id)
            names = {str(p): i.name for p, i in zip(input_paths(self.studio, tx, job), job.inputs, strict=True)}
        for path, name in names.items():
            message = message.replace(path, name)
        inputs = ", ".join(i.name for i in job.inputs)
        scratch = re.escape(str(self._workdir(job_id))) + r"[^\s:]*"
        return re.sub(scratch, f"the output made from {inputs}", message)

    def _keep_lease(self, job_id: str) -> None:
        # Renew at a third of the lease so a slow frame never lets it run out under a live executor.
        if time.time() - self._renewed < self.lease_seconds / 3:
            return
        with self.studio.transaction() as tx:
            if not leases.renew(tx.registry.session, job_id, self.owner, time.time(), self.lease_seconds):
                raise InvalidTransition(f"job {job_id}: the lease was lost to another executor; stopping")
        self._renewed = time.time()

    def _scan_progress(self, report: Progress, start: float, span: float, what: str) -> Callable[[int, int], None]:
        def scanned(done: int, total: int) -> None:
            report(start + span * done / max(total, 1), f"{what}, frame {done}/{total}")

        return scanned

    def _in_user_words(self, job_id: str, progress: Progress) -> Progress:
        """``progress`` with the ids and store names engines know replaced by the talent's name and the
        user's file names: "finding Dana Reyes in take_03.mp4", not "finding tal_582cf… in 1f29c1….mp4"."""
        from greenlight.domain import Talent

        with self.studio.transaction() as tx:
            job = tx.registry.get(Job, job_id)
            words = {Path(p).stem: Path(i.name).stem
                     for p, i in zip(input_paths(self.studio, tx, job), job.inputs, strict=True)}
            talent_id = job.params.get("talent_id")
            if talent_id:
                words[str(talent_id)] = next((t.name for t in tx.registry.list(Talent) if t.id == talent_id),
                                             "the talent")
        pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))

        def reported(fraction: float, message: str) -> None:
            progress(fraction, pattern.sub(lambda m: words[m.group(0)], message) if words else message)

        return reported

    def _workdir(self, job_id: str) -> Path:
        return self.studio.home / "work" / job_id


def _names(job: Job) -> str:
    return ", ".join(i.name for i in job.inputs)


def _next(decision: Decision, allowed: JobState) -> JobState:
    return {Verdict.ALLOW: allowed, Verdict.ESCALATE: JobState.ESCALATED, Verdict.BLOCK: JobState.BLOCKED}[
        decision.verdict
    ]


def _with_grants(job: Job, decision: Decision) -> Job:
    from dataclasses import replace

    found = (r.evidence["grant_id"] for r in decision.reasons if "grant_id" in r.evidence)
    return replace(job, grant_ids=tuple(dict.fromkeys((*job.grant_ids, *found))))
