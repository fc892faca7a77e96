"""Consent grants: ``/consent`` (grant, list, suspend, resume, revoke).

A talent representative sees their own talent's grants and may suspend or revoke them; granting (and
resuming, which makes a grant cover work again) goes through the production with the signed paperwork.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from greenlight.api.auth import Home, Who
from greenlight.api.scope import own_talent_only, rep_talent
from greenlight.domain import GrantState, RateUnit, Use, to_plain, utcnow
from greenlight.domain.access import Role

router = APIRouter(tags=["consent"])


class GrantRequest(BaseModel):
    """What the talent (or the estate) signed."""

    talent: str = Field(description="Talent name or id.")
    use: Use
    description: str = Field(description="A reasonably specific description of the intended use.")
    until: date = Field(description="The last day the grant covers (that whole day included, UTC).")
    signed_by: str = Field(description="The talent, or the estate for a deceased performer.")
    rate: Decimal = Field(ge=0, description="Compensation rate (0 for none).")
    unit: RateUnit = RateUnit.PER_SECOND
    currency: str = "USD"
    production: str | None = Field(None, description="Production code; none for every production.")
    valid_from: datetime | None = Field(None, description="When it starts covering (default: now).")


class GrantChange(BaseModel):
    reason: str = Field("", description="Why, for the ledger.")


@router.get("/consent", name="consent.list")
def list_grants(who: Who, studio: Home, talent: str | None = None) -> list[dict[str, Any]]:
    """Every grant with its state (``?talent=`` one talent's; a talent rep's own talent's, and only theirs)."""
    with studio.transaction() as tx:
        if who.role is Role.TALENT_REP:
            talent_id = rep_talent(tx.registry, who, talent)
        else:
            talent_id = tx.talent(talent).id if talent else None
        return [to_plain(g) for g in tx.registry.grants(talent_id=talent_id)]


@router.post("/consent", name="consent.grant", status_code=201)
def grant(body: GrantRequest, who: Who, studio: Home) -> dict[str, Any]:
    """Record a consent grant after checking it is informed, specific and signed by the right person."""
    from greenlight.runtime.consent import GrantTerms, grant_consent

    with studio.transaction() as tx:
        person = tx.talent(body.talent)
    through = datetime.combine(body.until + timedelta(days=1), time.min, UTC)
    start = body.valid_from or utcnow()
    terms = GrantTerms(use=body.use, description=body.description, valid_from=_aware(start), valid_until=through,
                       signed_by=body.signed_by, rate=str(body.rate), unit=body.unit, currency=body.currency,
                       production_code=body.production)
    return to_plain(grant_consent(studio, person, terms, who.actor))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _change(studio, who, grant_id: str, state: GrantState, reason: str) -> dict[str, Any]:
    from greenlight.runtime.consent import change_grant

    with studio.transaction() as tx:
        own_talent_only(who, tx.registry.grant(grant_id).talent_id, f"grant {grant_id}")
    return to_plain(change_grant(studio, grant_id, state, who.actor, reason))


@router.post("/consent/{grant_id}/suspend", name="consent.suspend")
def suspend(grant_id: str, body: GrantChange, who: Who, studio: Home) -> dict[str, Any]:
    """Suspend a grant (during a strike, say): nothing it covers may run, be approved or be exported."""
    return _change(studio, who, grant_id, GrantState.SUSPENDED, body.reason)


@router.post("/consent/{grant_id}/resume", name="consent.resume")
def resume(grant_id: str, body: GrantChange, who: Who, studio: Home) -> dict[str, Any]:
    """Resume a suspended grant."""
    return _change(studio, who, grant_id, GrantState.ACTIVE, body.reason)


@router.post("/consent/{grant_id}/revoke", name="consent.revoke")
def revoke(grant_id: str, body: GrantChange, who: Who, studio: Home) -> dict[str, Any]:
    """Revoke a grant for good; jobs relying on it are stopped at their next gate."""
    return _change(studio, who, grant_id, GrantState.REVOKED, body.reason)
