"""The talent page (grants, every draft and use that shows them, what they are owed) and the ledger page.

A talent representative's talent page is their own talent's and no other: asking for another is a 403.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from greenlight.api.auth import allow, studio
from greenlight.api.ui.base import UIRoute, render
from greenlight.domain import ConsentGrant, Production, Talent
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
    owed: bool  # approved, or delivered before it was blocked


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
    from greenlight.runtime.delivery import delivered_jobs
    from greenlight.runtime.reports import usage_report
    from greenlight.runtime.scanning import consent_grants
    from greenlight.runtime.talentview import jobs_showing

    with studio(request).transaction() as tx:
        person = tx.talent(talent_id)
        if who.role is Role.TALENT_REP and person.id != who.talent_id:
            raise Forbidden("a talent-rep token sees only the talent it represents", "ask for a token for this talent")
        # As the guards read them: a grant set back to active in its row is refused, never shown as live.
        grants = [g for g in consent_grants(tx) if g.talent_id == person.id]
        productions = {p.id: p.code for p in tx.ledgered_list(Production, "production.added")}
        jobs = jobs_showing(tx.registry, person.id)  # every role this page admits may see all of them
        delivered = delivered_jobs(tx)
        uses = [_use(tx, job, usage, delivered) for job in jobs for usage in job.usage if usage.talent_id == person.id]
    report = usage_report(studio(request), talent=person.id)
    return render(request, "talent.html", who, person=person, grants=grants, productions=productions,
                  jobs=list(reversed(jobs)), uses=uses, report_lines=[_report_row(line) for line in report.lines],
                  totals=report.totals)


def _use(tx, job, usage, delivered: set[str]) -> UseLine:
    from greenlight.cli.money import owed_text
    from greenlight.domain.compensation import counted

    state = "vetoed" if job.vetoes and not job.state.final else job.state.value  # a vetoed draft is never approved
    grant = tx.ledgered(ConsentGrant, usage.grant_id)
    return UseLine(job.id, state, owed_text(usage, grant), counted(job, grant, delivered))


def _report_row(line) -> tuple[str, ...]:
    """One line of the usage report as the talent page's table shows it."""
    from greenlight.cli.money import metered_text, rate_text
    from greenlight.domain import Compensation, RateUnit

    rate = rate_text(Compensation(line.rate, RateUnit(line.unit), line.currency), short=True)
    return (line.production_code, line.grant_id, metered_text(str(line.quantity), line.unit), rate,
            f"{line.owed} {line.currency}", str(line.jobs))


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
    from greenlight.runtime.ledgerbook import verify_ledger

    return verify_ledger(home)
