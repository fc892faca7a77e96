"""Jobs: ``/engines``, ``/jobs`` (submit any engine, list, show, follow, cancel, clear an escalation).

A job is submitted as a multipart form: the engine, the production, its parameters as a JSON object, the
seed, uploaded files and studio assets (by content hash) as its inputs, uploads first. It is queued; the
executor that ``greenlight serve`` runs beside the app runs it, and ``/jobs/{id}/events`` follows it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from greenlight.api.auth import Home, Who
from greenlight.api.scope import decision_plain, job_plain, step_plain
from greenlight.domain import JobState, to_plain
from greenlight.domain.access import Caller
from greenlight.errors import InvalidInput
from greenlight.runtime.studio import Transaction
from greenlight.runtime.visibility import can_see, job_for, visible_jobs
from greenlight.store.registry import Registry

router = APIRouter(tags=["jobs"])
# Parameters that name a folder on the server: through the service they must lie inside the studio folder,
# or any caller could have the engine read whatever the server can.
SERVER_FOLDERS = {"moodboard": ("library",)}
MODEL_KEYS = ("model", "model_sha256", "model_fingerprint", "model_dir")


class JobForm(BaseModel):
    """A job as data: engine, parameters, inputs, seed."""

    engine: str = Field(description="An installed engine (see /engines): ingest, deage, moodboard, previz, collapse.")
    production: str = Field(description="Production code.")
    params: str = Field("{}", description='The engine\'s parameters as a JSON object, e.g. {"tool": "Runway Gen-4"}; '
                                          '"talent" (a name) is resolved to "talent_id".')
    seed: int = Field(0, description="Recorded with the job: the same spec and seed give the same output.")
    files: list[UploadFile] = Field(default_factory=list, description="Input files, in order.")
    assets: list[str] = Field(default_factory=list, description="Studio assets (sha256 or id) used as inputs "
                                                                "after the uploaded files.")


class Note(BaseModel):
    note: str = Field("", description="Why, for the ledger and the artist.")


@router.get("/engines", name="engines.list", tags=["jobs"])
def list_engines(who: Who) -> list[dict[str, Any]]:
    """The installed engines (found by entry point) and what each does."""
    from greenlight.engines.base import available_engines, load_engine

    infos = [load_engine(name).info for name in sorted(available_engines())]
    return [{"name": i.name, "version": i.version, "summary": i.summary, "likeness_use": i.likeness_use}
            for i in infos]


@router.post("/jobs", name="jobs.submit", status_code=201)
def submit(form: Annotated[JobForm, Form()], who: Who, studio: Home) -> dict[str, Any]:
    """Queue a job once its engine has checked the parameters and inputs; the executor runs it."""
    from greenlight.api.uploads import received
    from greenlight.runtime.jobs import submit as queue

    with studio.transaction() as tx:
        params = _params(tx, form.params)
        stored = [_usable_asset(studio, tx.registry, who, ref) for ref in form.assets]
    _inside_studio(studio, form.engine, params)
    with received(studio, form.files, stored) as inputs:
        job = queue(studio, form.engine, params, inputs, form.production, who.actor, form.seed)
    return to_plain(job)


def _params(tx: Transaction, text: str) -> dict[str, Any]:
    try:
        params = json.loads(text)
    except ValueError:
        raise InvalidInput(f"params {text[:60]!r} is not JSON", 'give a JSON object, e.g. {"tool": "X"}') from None
    if not isinstance(params, dict):
        raise InvalidInput("params must be a JSON object", 'e.g. {"talent": "Dana Reyes", "years": 10}')
    if isinstance(params.get("talent"), str) and "talent_id" not in params:
        params["talent_id"] = tx.talent(params.pop("talent")).id
    return _registered_model(tx.registry, params)


def _registered_model(registry: Registry, params: dict[str, Any]) -> dict[str, Any]:
    """The params with the model the studio registered under ``model``: a caller names a model, never its folder.

    The folder, hash and fingerprint a caller sends are replaced, so no engine loads (or says whether there is)
    a folder of the server's that the studio did not register. Raises NotFound: no model of that name.
    """
    from greenlight.runtime.models import model_params

    if not any(params.get(key) for key in MODEL_KEYS):
        return params
    if not str(params.get("model") or "").strip():
        raise InvalidInput("a job names its model by the name it was registered under, not by its folder",
                           'give "model": NAME (see `greenlight models list`)')
    return params | model_params(registry.model(str(params["model"])))


def _usable_asset(studio, registry: Registry, who: Caller, ref: str) -> tuple[Path, str]:
    """A studio file the caller may use as an input (an output or input of a job they can see), with its name."""
    from greenlight.domain import Job
    from greenlight.errors import Forbidden, NotFound
    from greenlight.runtime.visibility import SEE_ALL

    # One answer for a file the studio does not hold and one the caller may not use: an asset is found by its
    # content hash, so a 404 (or the job named) would tell anyone whether the studio holds a given file.
    unusable = Forbidden(f"asset {ref} is not an input or output of a job this token can see",
                         "upload the file instead")
    try:
        asset = registry.asset(ref)
    except NotFound:
        if who.role in SEE_ALL:
            raise
        raise unusable from None
    if asset.job_id is not None:
        if not can_see(registry, who, registry.get(Job, asset.job_id)):
            raise unusable
        return studio.home / asset.path, f"{asset.job_id}{Path(asset.path).suffix}"
    for job in registry.jobs():
        named = next((i.name for i in job.inputs if i.sha256 == asset.sha256), None)
        if named and can_see(registry, who, job):
            return studio.home / asset.path, named
    raise unusable


def _inside_studio(studio, engine: str, params: dict[str, Any]) -> None:
    for key in SERVER_FOLDERS.get(engine, ()):
        folder = Path(str(params.get(key, ""))).expanduser()
        folder = folder if folder.is_absolute() else studio.home / folder
        if not folder.resolve().is_relative_to(studio.home):
            raise InvalidInput(f"{key} {params.get(key)!r} is outside the studio folder",
                               f"through the service, a {engine} {key} lies inside the studio folder")
        params[key] = str(folder.resolve())


@router.get("/jobs", name="jobs.list")
def list_jobs(who: Who, studio: Home, state: JobState | None = None) -> list[dict[str, Any]]:
    """The jobs the caller may see (an artist their own, a talent rep those showing their talent), oldest first."""
    with studio.transaction() as tx:
        return [job_plain(tx.registry, who, j) for j in visible_jobs(tx.registry, who, state)]


@router.get("/jobs/{job_id}", name="jobs.show")
def show(job_id: str, who: Who, studio: Home) -> dict[str, Any]:
    """A job: its spec and every step, every guard decision with its stage, its outputs."""
    from greenlight.runtime.guarding import stages

    with studio.transaction() as tx:
        job = job_for(tx.registry, who, job_id)
        decisions = tx.registry.decisions(subject=job.id)
        made_at = stages(tx, decisions)
        return {"job": job_plain(tx.registry, who, job),
                "assets": [to_plain(a) for a in tx.registry.job_assets(job.id)],
                "decisions": [decision_plain(who, d, made_at.get(d.id)) for d in decisions]}


@router.get("/jobs/{job_id}/events", name="jobs.events",
            responses={200: {"content": {"text/event-stream": {}}, "description": "state, progress and end events"}})
def events(job_id: str, request: Request, who: Who, studio: Home) -> StreamingResponse:
    """Follow a job as server-sent events: ``state`` for every step, ``progress`` while it runs, then ``end``."""
    from greenlight.api.auth import presented_secret
    from greenlight.api.progress import job_events

    with studio.transaction() as tx:
        job_for(tx.registry, who, job_id)
    board = getattr(request.app.state, "progress", None)
    secret = presented_secret(request) or ""
    stream = job_events(studio, job_id, board, allowed=lambda: _live(studio, secret),
                        seen=lambda step: step_plain(who, step))
    return StreamingResponse(stream, media_type="text/event-stream",
                             headers={"Cache-Control": "no-store"})


def _live(studio, secret: str) -> bool:
    """Whether the token a stream was opened with is still live (a revoked follower is shown nothing more)."""
    from greenlight.errors import Unauthorized
    from greenlight.runtime.access import authenticate

    try:
        authenticate(studio, secret)
    except Unauthorized:
        return False
    return True


@router.post("/jobs/{job_id}/cancel", name="jobs.cancel")
def cancel(job_id: str, body: Note, who: Who, studio: Home) -> dict[str, Any]:
    """Cancel a job that has not reached review."""
    from greenlight.runtime.jobs import cancel as stop

    with studio.transaction() as tx:
        job_for(tx.registry, who, job_id)
    job = stop(studio, job_id, who.actor, body.note)
    with studio.transaction() as tx:
        return job_plain(tx.registry, who, job)


@router.post("/jobs/{job_id}/clear", name="jobs.clear")
def clear(job_id: str, body: Note, who: Who, studio: Home) -> dict[str, Any]:
    """Give the written approval an escalated job waits for (legal's); it is queued again. Blocks stay blocked."""
    from greenlight.runtime.jobs import clear_escalation

    job = clear_escalation(studio, job_id, who.actor, who.role.value, body.note)
    return to_plain(job)
