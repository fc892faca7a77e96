"""The talent page (grants, every draft and use that shows them, what they are owed) and the ledger page.

A talent representative's talent page is their own talent's and no other: asking for another is a 403.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from greenlight.api.auth import allow, studio
from greenlight.api.ui.base import UIRoute, render
from greenlight.domain import JobState, Production, Talent
from greenlight.domain.access import Caller, Role
from greenlight.errors import Forbidden

router = APIRouter(route_class=UIRoute)
TalentSide = Annotated[Caller, Depends(allow(Role.PRODUCER, Role.LEGAL, Role.TALENT_REP))]
Records = Annotated[Caller, Depends(allow(Role.PRODUCER, Role.LEGAL, Role.REVIEWER))]
RECENT = 40  # ledger entries listed under the verification state


@dataclass(frozen=True)
class UseLine:
    """One metered (or, before approval, would-be) use of the talent's likeness in one job."""

    job_id: str
    state: str
    text: str
    amount: Decimal | None
    currency: str | None


@router.get("/talent", include_in_schema=False)
def talent_index(request: Request, who: TalentSide) -> Response:
    """A talent representative goes straight to their talent; others pick one."""
    if who.role is Role.TALENT_REP:
        return RedirectResponse(f"/ui/talent/{who.talent_id}", status_code=303)
    with studio(request).transaction() as tx:
        people = tx.registry.list(Talent)
    return render(request, "talent_index.html", who, people=people)


@router.get("/talent/{talent_id}", include_in_schema=False)
def talent_page(request: Request, talent_id: str, who: TalentSide) -> Response:
    """One talent: their grants, every job that shows them, each use and the totals owed."""
    from greenlight.runtime.visibility import talent_shown, visible_jobs

    with studio(request).transaction() as tx:
        person = tx.registry.talent(talent_id)
        if who.role is Role.TALENT_REP and person.id != who.talent_id:
            raise Forbidden("a talent-rep token sees only the talent it represents", "ask for a token for this talent")
        grants = tx.registry.grants(person.id)
        productions = {p.id: p.code for p in tx.registry.list(Production)}
        jobs = [j for j in visible_jobs(tx.registry, who) if person.id in talent_shown(tx.registry, j)]
        uses = [_use(tx, job, usage) for job in jobs for usage in job.usage if usage.talent_id == person.id]
    return render(request, "talent.html", who, person=person, grants=grants, productions=productions,
                  jobs=list(reversed(jobs)), uses=uses, totals=_totals(uses))


def _use(tx, job, usage) -> UseLine:
    from greenlight.cli.money import owed, owed_text

    grant = tx.registry.grant(usage.grant_id)
    amount = owed(usage, grant) if job.state is JobState.APPROVED else None
    currency = grant.compensation.currency if amount is not None else None
    return UseLine(job.id, job.state.value, owed_text(usage, grant), amount, currency)


def _totals(uses: list[UseLine]) -> dict[str, Decimal]:
    """What is owed for approved use, per currency."""
    totals: dict[str, Decimal] = {}
    for line in uses:
        if line.amount is not None and line.currency:
            totals[line.currency] = totals.get(line.currency, Decimal(0)) + line.amount
    return totals


@router.get("/ledger", include_in_schema=False)
def ledger_page(request: Request, who: Records) -> Response:
    """The ledger's verification state (what `greenlight ledger verify` checks) and its latest entries."""
    report = ledger_report(studio(request))
    with studio(request).transaction() as tx:
        recent = list(deque(tx.ledger.entries(), maxlen=RECENT))
    return render(request, "ledger.html", who, report=report, recent=list(reversed(recent)))


def ledger_report(home):
    """The audit `greenlight ledger verify` runs: the chain, every checkpoint (the studio's and every signed
    output's) and every registry row against the ledger."""
    from greenlight.cli.ledger import _manifests
    from greenlight.ledger.audit import audit

    others = _manifests(home)
    with home.transaction() as tx:
        return audit(tx.ledger.session, home.checkpoints, others)
