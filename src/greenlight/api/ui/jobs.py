"""The review queue, the job page with its before/after viewers, review, escalations, and the media they show.

Every page and every picture goes through ``visibility``: a job the caller may not see is a 403 page,
whether they open it, its pictures or its form.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from greenlight.api.auth import allow, studio
from greenlight.api.ui.base import PRIVATE, UIRoute, render, signed_in
from greenlight.api.ui.views import job_view
from greenlight.domain import Asset, Job, JobState
from greenlight.domain.access import Caller, Role
from greenlight.errors import Forbidden, InvalidInput, NotFound

router = APIRouter(route_class=UIRoute)
SignedIn = Annotated[Caller, Depends(signed_in)]
Reviewer = Annotated[Caller, Depends(allow(Role.REVIEWER))]
TalentRep = Annotated[Caller, Depends(allow(Role.TALENT_REP))]
Legal = Annotated[Caller, Depends(allow(Role.LEGAL, Role.PRODUCER, Role.REVIEWER))]
Note = Annotated[str, Form()]


@router.get("/queue", include_in_schema=False)
def queue(request: Request, who: SignedIn) -> Response:
    """The jobs in review the caller can see, oldest first, and the rest of what they can see below."""
    from greenlight.runtime.visibility import review_queue, visible_jobs

    with studio(request).transaction() as tx:
        waiting = review_queue(tx.registry, who)
        others = [j for j in visible_jobs(tx.registry, who) if j.state is not JobState.IN_REVIEW][-30:]
    return render(request, "queue.html", who, waiting=waiting, others=list(reversed(others)))


@router.get("/jobs/{job_id}", include_in_schema=False)
def job_page(request: Request, job_id: str, who: SignedIn) -> Response:
    """One job: before/after of every output, decisions by stage, credentials, the review form."""
    from greenlight.runtime.visibility import job_for

    home = studio(request)
    with home.transaction() as tx:
        view = job_view(home, tx, who, job_for(tx.registry, who, job_id))
    close_ups = {o.asset.id for o in view.outputs if o.before and _close_up(home, o)}
    return render(request, "job.html", who, view=view, can=_actions(who, view.job), close_ups=close_ups)


def _close_up(home, output) -> bool:
    from greenlight.errors import MediaError

    try:
        return viewer_pictures(home, output).close_after is not None
    except MediaError:
        return False


def _actions(who: Caller, job: Job) -> dict[str, bool]:
    """Which forms the job page offers this caller (each POST checks again): a vetoed job offers no approval,
    only rejection (so a vetoed draft does not wait in the queue for good)."""
    review = who.role in (Role.REVIEWER, Role.ADMIN) and job.state is JobState.IN_REVIEW
    return {
        "review": review,
        "approve": review and not job.vetoes,
        "written": who.role is Role.LEGAL and job.state is JobState.ESCALATED,
        "veto": who.role is Role.TALENT_REP and not job.state.final
        and all(v.talent_id != who.talent_id for v in job.vetoes),
    }


@router.post("/jobs/{job_id}/review", include_in_schema=False)
def review_job(request: Request, job_id: str, who: Reviewer, note: Note = "", decision: Annotated[str, Form()] = "",
               ) -> Response:
    """Approve or reject with a note, as the signed-in reviewer; back to the job page."""
    from greenlight.runtime.jobs import review
    from greenlight.runtime.visibility import job_for

    if decision not in ("approve", "reject"):
        raise InvalidInput(f"unknown review decision {decision!r}", "press Approve or Reject")
    home = studio(request)
    with home.transaction() as tx:
        job_for(tx.registry, who, job_id)
    review(home, job_id, decision == "approve", who.actor, note)
    return RedirectResponse(f"/ui/jobs/{job_id}", status_code=303)


@router.post("/jobs/{job_id}/veto", include_in_schema=False)
def veto_job(request: Request, job_id: str, who: TalentRep, note: Note = "") -> Response:
    """The signed-in representative's veto of a draft that shows their talent: it can no longer be approved."""
    from greenlight.runtime.jobs import veto
    from greenlight.runtime.visibility import job_for

    if who.talent_id is None:
        raise Forbidden(f"a {who.role.value} token speaks for no talent, so it cannot veto",
                        "the talent's representative vetoes")
    home = studio(request)
    with home.transaction() as tx:
        job_for(tx.registry, who, job_id)
    veto(home, job_id, who.talent_id, who.actor, note)
    return RedirectResponse(f"/ui/jobs/{job_id}", status_code=303)


@router.get("/escalations", include_in_schema=False)
def escalations(request: Request, who: Legal) -> Response:
    """Jobs waiting for a written approval (legal gives it; producers and reviewers see what waits)."""
    from greenlight.runtime.guarding import summary
    from greenlight.runtime.visibility import visible_jobs

    with studio(request).transaction() as tx:
        waiting = visible_jobs(tx.registry, who, JobState.ESCALATED)
        why = {j.id: _why(tx, j, summary) for j in waiting}
        # Legal decides on what the guard saw: the job's pictures, shown beside the reason.
        seen = {j.id: [a for a in (tx.registry.asset(i.sha256) for i in j.inputs) if a.media_type.startswith("image/")]
                for j in waiting}
    return render(request, "escalations.html", who, waiting=waiting, why=why, seen=seen)


def _why(tx, job: Job, summary) -> str:
    decisions = tx.registry.decisions(subject=job.id)
    return summary(decisions[-1]) if decisions else (job.history[-1].note if job.history else "")


@router.post("/jobs/{job_id}/clear", include_in_schema=False)
def clear(request: Request, job_id: str, who: Legal, note: Note = "") -> Response:
    """Give the written approval an escalated job waits for; it is queued again."""
    from greenlight.runtime.jobs import clear_escalation

    if who.role is not Role.LEGAL:
        raise Forbidden(f"a {who.role.value} token may not give a written approval", "legal gives it")
    clear_escalation(studio(request), job_id, who.actor, "legal", note)
    return RedirectResponse("/ui/escalations", status_code=303)


@router.get("/jobs/{job_id}/media/{asset_id}", include_in_schema=False)
def media(request: Request, job_id: str, asset_id: str, who: SignedIn) -> Response:
    """An input or output of a job the caller may see, to view (not a deliverable: no download)."""
    asset = _job_asset(request, who, job_id, asset_id)
    return FileResponse(studio(request).home / asset.path, media_type=asset.media_type,
                        headers={**PRIVATE, "Content-Disposition": "inline"})


@router.get("/jobs/{job_id}/still/{asset_id}", include_in_schema=False)
def still(request: Request, job_id: str, asset_id: str, who: SignedIn, side: str = "after", view: str = "full",
          ) -> Response:
    """A picture the wipe viewer shows for one output: the output (``after``) or its input (``before``), whole
    (``full``; a video's representative frame) or the changed face enlarged (``face``)."""
    if side not in ("before", "after") or view not in ("full", "face"):
        raise InvalidInput(f"unknown picture {side!r}, {view!r}", "use side=before|after and view=full|face")
    _job_asset(request, who, job_id, asset_id)
    home = studio(request)
    with home.transaction() as tx:
        output = next((o for o in job_view(home, tx, who, tx.registry.get(Job, job_id)).outputs
                       if o.asset.id == asset_id), None)
    if output is None or output.before is None:
        raise NotFound(f"{asset_id} is not an output of job {job_id} with a before picture")
    body = viewer_pictures(home, output).get(side, view)
    if body is None:
        raise NotFound(f"no face changed in {asset_id} to show close up")
    return Response(body, media_type="image/jpeg", headers=PRIVATE)


def viewer_pictures(home, output):
    """The before/after pictures of one output (cached: decoded once)."""
    from greenlight.api.ui.stills import pictures

    return pictures(str(home.home / output.before.path), str(home.home / output.asset.path), output.video,
                    home.analyzer)


def _job_asset(request: Request, who: Caller, job_id: str, asset_id: str) -> Asset:
    """The asset, if it is an input or output of a job ``who`` may see. Raises Forbidden, NotFound."""
    from greenlight.runtime.visibility import job_for

    with studio(request).transaction() as tx:
        job = job_for(tx.registry, who, job_id)
        asset = tx.registry.asset(asset_id)
    if asset.id not in job.outputs and asset.sha256 not in {i.sha256 for i in job.inputs}:
        raise NotFound(f"{asset_id} is not an input or output of job {job_id}")
    return asset
