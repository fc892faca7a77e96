"""Review: ``/review`` (the queue) and approving or rejecting a job in review with a note."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from greenlight.api.auth import Home, Who
from greenlight.api.scope import job_plain
from greenlight.domain.access import Role
from greenlight.runtime.visibility import job_for, review_queue

router = APIRouter(tags=["review"])


class ReviewNote(BaseModel):
    note: str = Field(description="Why, for the ledger and the artist (required).")


@router.get("/review", name="review.queue")
def queue(who: Who, studio: Home) -> list[dict[str, Any]]:
    """The jobs waiting for a reviewer's decision that the caller may see, oldest first."""
    with studio.transaction() as tx:
        return [job_plain(tx.registry, who, j) for j in review_queue(tx.registry, who)]


def _review(studio, who, job_id: str, approve: bool, note: str) -> dict[str, Any]:
    from greenlight.runtime.jobs import review

    with studio.transaction() as tx:
        job_for(tx.registry, who, job_id)
    job = review(studio, job_id, approve, who.actor, note)
    with studio.transaction() as tx:
        return job_plain(tx.registry, who, job)


@router.post("/jobs/{job_id}/approve", name="review.approve", tags=["review"])
def approve(job_id: str, body: ReviewNote, who: Who, studio: Home) -> dict[str, Any]:
    """Approve a job in review: consent is checked once more and the use metered; a lapsed grant blocks it
    instead (the answer's ``state`` says which)."""
    return _review(studio, who, job_id, True, body.note)


@router.post("/jobs/{job_id}/reject", name="review.reject", tags=["review"])
def reject(job_id: str, body: ReviewNote, who: Who, studio: Home) -> dict[str, Any]:
    """Reject a job in review: its outputs are never delivered."""
    return _review(studio, who, job_id, False, body.note)


class VetoRequest(BaseModel):
    note: str = Field(description="Why the talent refuses this draft (required; the ledger keeps it).")
    talent: str | None = Field(None, description="The talent vetoing: a talent rep's own (the default); an admin "
                                                 "acting for a talent names them.")


@router.post("/jobs/{job_id}/veto", name="jobs.veto", tags=["review"])
def veto(job_id: str, body: VetoRequest, who: Who, studio: Home) -> dict[str, Any]:
    """Veto a draft that shows the caller's talent: it can no longer be approved (it may still be rejected)."""
    from greenlight.api.scope import rep_talent
    from greenlight.errors import InvalidInput
    from greenlight.runtime.jobs import veto as record_veto

    with studio.transaction() as tx:
        job_for(tx.registry, who, job_id)
        if who.role is Role.TALENT_REP:
            talent = rep_talent(tx.registry, who, body.talent)
        elif body.talent:
            talent = tx.talent(body.talent).id
        else:
            raise InvalidInput("a veto is made for a talent", "name the talent the veto is for")
    job = record_veto(studio, job_id, talent, who.actor, body.note)
    with studio.transaction() as tx:
        return job_plain(tx.registry, who, job)
