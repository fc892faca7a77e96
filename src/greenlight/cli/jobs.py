"""`greenlight run …`, `greenlight jobs …` and `greenlight export`: creative work under the guards."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from greenlight.cli.common import (
    ActorOption,
    JsonOption,
    QueueOption,
    StudioOption,
    actor,
    console,
    console_err,
    open_studio,
    print_json,
)
from greenlight.cli.money import owed_text
from greenlight.cli.progress import JobProgress
from greenlight.cli.tables import print_listing
from greenlight.domain import Asset, ConsentGrant, Decision, Job, JobState, to_plain
from greenlight.domain.compensation import counted, owed_plain

run_app = typer.Typer(help="Run an engine as a job: preflight guard, engine, postflight guard, signing, review.",
                      no_args_is_help=True)
jobs_app = typer.Typer(help="Jobs: list, inspect, review, cancel, clear escalations, run the queue.",
                       no_args_is_help=True)
JobArg = Annotated[str, typer.Argument(help="The job's id (see `greenlight jobs list`).")]
NoteOption = Annotated[str, typer.Option(help="Why, for the ledger and the artist.")]
STATES = tuple(s.value for s in JobState)
STOPPED_CODES = {JobState.BLOCKED: 4, JobState.ESCALATED: 3, JobState.FAILED: 2}


@run_app.command("deage")
def run_deage(
    clip: Annotated[Path, typer.Argument(help="A clip (MP4, MOV) or an image.")],
    talent: Annotated[str, typer.Option(help="The talent to de-age (name or id).")],
    years: Annotated[int, typer.Option(help="How many years younger (5–30).")],
    production: Annotated[str, typer.Option("--production", "-p", help="Production code.")],
    reshape: Annotated[bool, typer.Option(help="A subtle youthful reshaping of the lower face.")] = True,
    seed: Annotated[int, typer.Option(help="Recorded with the job: the same spec and seed give the same output.")] = 0,
    model: Annotated[str | None, typer.Option(help="A registered model (`greenlight models list`) that refines "
                                              "the skin after the classical pass.")] = None,
    strength: Annotated[float, typer.Option(help="With --model: how far it may move from the classical result "
                                            "(0–1).")] = 0.35,
    steps: Annotated[int, typer.Option(help="With --model: denoising steps (strength × steps of them run).")] = 20,
    guidance: Annotated[float, typer.Option(help="With --model: how closely to follow the age prompt (0 for "
                                            "SD-Turbo).")] = 7.5,
    age: Annotated[int | None, typer.Option(help="With --model: the talent's age in the source; the prompt then "
                                            "names the target age.")] = None,
    device: Annotated[str, typer.Option(help="With --model: auto (a GPU when there is one), cpu or cuda.")] = "auto",
    queue_only: QueueOption = False,
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """De-age a talent in a clip. Exit status: 0 in review, 3 escalated, 4 blocked, 2 failed."""
    from greenlight.runtime.jobs import submit

    if age is not None and not model:
        from greenlight.errors import InvalidInput

        raise InvalidInput("--age is only used with --model (it names the target age in the prompt)",
                           "add --model NAME, or leave --age out")
    home = open_studio(studio)
    with home.transaction() as tx:
        person = tx.talent(talent)
        registered = tx.registry.model(model) if model else None  # an unknown name: NotFound, no job
    params = {"talent_id": person.id, "years": years, "reshape": reshape}
    if registered is not None:
        from greenlight.runtime.models import model_params

        params |= {**model_params(registered), "strength": strength, "steps": steps, "guidance": guidance,
                   "device": device}
        params |= {"age": age} if age is not None else {}
    job = submit(home, "deage", params, [clip], production, actor(as_), seed)
    refined = f", refined by {registered.name} at strength {strength}" if registered else ""
    start(home, job, f"de-age {person.name} by {years} years in {clip.name}{refined}", queue_only)


@jobs_app.command("run")
def jobs_run(studio: StudioOption = None) -> None:
    """Run every queued job (and recover jobs whose executor died).

    Exit status: 0 when every job reached review, 4 when one was blocked, else 3 when one was escalated,
    else 2 when one failed; the others still run, and a last line says which jobs stopped.
    """
    from greenlight.runtime.executor import LocalExecutor

    home = open_studio(studio)
    with JobProgress() as report:
        done = LocalExecutor(home).run_queued(report)
    for job in done:
        print_outcome(home, job)
    if not done:
        console.print("no queued jobs")
    stopped = [j for j in done if j.state in STOPPED_CODES]
    if stopped:
        console_err.print("not in review: " + "; ".join(f"{j.id} {j.state.value}" for j in stopped))
        raise typer.Exit(max(STOPPED_CODES[j.state] for j in stopped))


@jobs_app.command("list")
def jobs_list(
    state: Annotated[str | None, typer.Option(help=f"Only jobs in this state: {', '.join(STATES)}.")] = None,
    studio: StudioOption = None,
    json: JsonOption = False,
) -> None:
    """List jobs, oldest first."""
    if state is not None and state not in STATES:
        from greenlight.errors import InvalidInput

        raise InvalidInput(f"unknown job state {state!r}", f"use one of: {', '.join(STATES)}")
    with open_studio(studio).transaction() as tx:
        jobs = tx.registry.jobs(state)
    if json:
        return print_json([to_plain(j) for j in jobs])
    rows = [(j.id, j.engine, j.state.value, ", ".join(i.name for i in j.inputs), str(len(j.outputs)),
             j.requested_by, f"{j.created_at:%Y-%m-%d %H:%M}") for j in jobs]
    print_listing(("job", "engine", "state", "inputs", "outputs", "by", "created"), rows,
                  optional=("outputs", "by", "created"))


@jobs_app.command("show")
def jobs_show(job_id: JobArg, studio: StudioOption = None, json: JsonOption = False) -> None:
    """Show a job: its spec, every step, every guard decision, its outputs."""
    from greenlight.runtime.delivery import delivered_jobs
    from greenlight.runtime.guarding import stages
    from greenlight.runtime.jobs import ledgered_job
    from greenlight.runtime.scanning import ledgered_talent

    home = open_studio(studio)
    with home.transaction() as tx:  # every row as the ledger recorded it: a forged one is refused, not shown
        job = ledgered_job(tx, job_id)
        decisions = [tx.ledgered(Decision, d.id) for d in tx.registry.decisions(subject=job.id)]
        made_at = stages(tx, decisions)
        assets = [tx.ledgered(Asset, a.id) for a in tx.registry.job_assets(job.id)]
        grants = _grants(tx, job)
        names = {t.id: t.name for t in ledgered_talent(tx)}
        delivered = delivered_jobs(tx)
        owed_now = [u.grant_id in grants and counted(job, grants[u.grant_id], delivered) for u in job.usage]
    if json:
        return print_json({"job": to_plain(job), "assets": [to_plain(a) for a in assets],
                           "decisions": [{**to_plain(d), "stage": made_at.get(d.id)} for d in decisions],
                           "owed": [owed_plain(u, grants.get(u.grant_id)) for u in job.usage], "owed_now": owed_now})
    console.print(f"{job.id}: {job.engine} — {job.state.value}", style="bold")
    params = ", ".join(f"{k}={v}" for k, v in sorted(job.params.items()))
    console.print(f"  params: {params}  seed: {job.seed}  inputs: {', '.join(i.name for i in job.inputs)}")
    for step in job.history:
        console.print(f"  {step.at:%H:%M:%S} {step.state.value:<10} {step.by}  {step.note}")
    for veto in job.vetoes:
        who = names.get(veto.talent_id, veto.talent_id)
        console.print(f"  VETOED for {who} by {veto.by} at {veto.at:%Y-%m-%d %H:%M}: {veto.note} (approval is blocked)",
                      style="bold red")
    for decision in decisions:
        _print_decision(decision, made_at.get(decision.id))
    for asset in assets:
        console.print(f"  {asset.role}: {home.home / asset.path}")
    for usage, owes in zip(job.usage, owed_now, strict=True):
        grant = grants.get(usage.grant_id)
        console.print(f"  usage ({_owing(job, grant, owes)}): {owed_text(usage, grant, owes)}")


def _owing(job: Job, grant: ConsentGrant | None, owes: bool) -> str:
    if owes:
        return "owed" if job.state is JobState.APPROVED else "owed: delivered before it was blocked"
    if job.state is JobState.APPROVED and grant is not None:
        return "not owed: its grant was revoked before delivery"
    return f"not owed: {job.state.value}" if job.state.final else "would be owed on approval"


@jobs_app.command("approve")
def jobs_approve(job_id: JobArg, note: NoteOption, studio: StudioOption = None, as_: ActorOption = None) -> None:
    """Approve a job in review: its outputs become deliverables, and the use is metered."""
    from greenlight.runtime.jobs import review

    home = open_studio(studio)
    job = review(home, job_id, True, actor(as_), note)
    if job.state is JobState.BLOCKED:
        console_err.print(f"{job.id} blocked, not approved: {job.history[-1].note}; its outputs are quarantined")
        raise typer.Exit(4)
    with home.transaction() as tx:
        grants = _grants(tx, job)
    if not job.usage:
        return console.print(f"{job.id} approved; metered: none (no likeness use to pay for)")
    console.print(f"{job.id} approved; metered:")
    for usage in job.usage:
        console.print(f"  {owed_text(usage, grants.get(usage.grant_id))}")


@jobs_app.command("reject")
def jobs_reject(job_id: JobArg, note: NoteOption, studio: StudioOption = None, as_: ActorOption = None) -> None:
    """Reject a job in review: its outputs are never exported."""
    from greenlight.runtime.jobs import review

    console.print(f"{review(open_studio(studio), job_id, False, actor(as_), note).id} rejected")


@jobs_app.command("veto")
def jobs_veto(
    job_id: JobArg,
    talent: Annotated[str, typer.Option(help="The talent vetoing (name or id); the job must show them.")],
    note: NoteOption,
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Veto a draft that shows a talent, for them (their representative acts): it can no longer be approved."""
    from greenlight.runtime.jobs import veto

    job = veto(open_studio(studio), job_id, talent, actor(as_), note)
    console.print(f"{job.id} vetoed for {talent}; it can no longer be approved (rejecting it is still possible)")


@jobs_app.command("cancel")
def jobs_cancel(job_id: JobArg, note: NoteOption = "", studio: StudioOption = None, as_: ActorOption = None) -> None:
    """Cancel a job that has not reached review."""
    from greenlight.runtime.jobs import cancel

    console.print(f"{cancel(open_studio(studio), job_id, actor(as_), note).id} cancelled")


@jobs_app.command("clear")
def jobs_clear(
    job_id: JobArg,
    role: Annotated[str, typer.Option(help="Your role: legal or business-affairs.")],
    note: NoteOption,
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Give the written approval an escalated job waits for; it is queued again (blocks stay blocked)."""
    from greenlight.runtime.jobs import clear_escalation

    job = clear_escalation(open_studio(studio), job_id, actor(as_), role, note)
    console.print(f"{job.id} cleared by written approval and queued again; `greenlight jobs run` runs it")


def export(
    job_id: JobArg,
    folder: Annotated[Path, typer.Argument(help="Where the deliverables go.")],
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Copy an approved job's signed outputs into FOLDER as deliverables, if its consent is still live."""
    from greenlight.runtime.delivery import deliver

    for target in deliver(open_studio(studio), job_id, folder, actor(as_)):
        console.print(f"exported {target}")


def run_job(home, job_id: str, quiet: bool = False) -> Job:
    """Run a job just submitted here, or, when another executor on this studio (a `greenlight serve` beside
    it) took it first, follow it there until it settles: either way the command ends with the job's outcome."""
    from greenlight.errors import InvalidTransition
    from greenlight.runtime.executor import LocalExecutor

    try:
        if quiet:
            return LocalExecutor(home).run(job_id)
        with JobProgress() as report:
            return LocalExecutor(home).run(job_id, report)
    except InvalidTransition:  # only the claim raises it: the job is no longer queued, or leased elsewhere
        return follow_elsewhere(home, job_id)


def follow_elsewhere(home, job_id: str, poll_seconds: float = 0.5) -> Job:
    """Wait for a job another executor runs to settle (in review, escalated or final) and return it."""
    import time

    console_err.print(f"{job_id} is being run by another executor on this studio (a `greenlight serve`?): "
                      "waiting for it to settle (Ctrl-C stops waiting, not the job)")
    while True:
        with home.transaction() as tx:
            job = tx.registry.get(Job, job_id)
        if job.state.final or job.state in (JobState.IN_REVIEW, JobState.ESCALATED):
            return job
        time.sleep(poll_seconds)


def start(home, job: Job, what: str, queue_only: bool) -> None:
    """Say what was queued; unless only queueing, run it and exit with its outcome's status."""
    console.print(f"queued {job.id}: {what}")
    if not queue_only:
        finish(home, run_job(home, job.id))


def finish(home, job: Job) -> None:
    print_outcome(home, job)
    codes = {JobState.IN_REVIEW: 0, JobState.ESCALATED: 3, JobState.BLOCKED: 4}
    raise typer.Exit(codes.get(job.state, 2))


def print_outcome(home, job: Job) -> None:
    colour = {JobState.IN_REVIEW: "green", JobState.ESCALATED: "yellow"}.get(job.state, "red")
    console.print(f"{job.id}: {job.state.value}", style=f"bold {colour}")
    if job.history and job.history[-1].note:
        console.print(f"  {job.history[-1].note}")
    with home.transaction() as tx:
        for asset in tx.registry.job_assets(job.id):
            console.print(f"  {asset.role}: {home.home / asset.path}")


def _grants(tx, job: Job) -> dict[str, ConsentGrant]:
    """The grants the job's metered use is under (grants are never deleted, only revoked)."""
    return {grant_id: tx.ledgered(ConsentGrant, grant_id) for grant_id in {u.grant_id for u in job.usage}}


def _print_decision(decision: Decision, stage: str | None) -> None:
    from greenlight.cli.scan import print_decision

    print_decision(decision, stage or "unrecorded", indent="  ")
