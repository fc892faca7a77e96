"""Consent grants: record a new one, suspend, resume or revoke it. Each change is a ledger entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from greenlight.domain import (
    Compensation,
    ConsentGrant,
    GrantState,
    RateUnit,
    Signatory,
    Talent,
    Use,
    check_description,
    last_day,
)
from greenlight.errors import InvalidInput
from greenlight.runtime.studio import Studio


@dataclass(frozen=True)
class GrantTerms:
    """What the talent (or estate) signed, as given by the user."""

    use: Use
    description: str
    valid_from: datetime
    valid_until: datetime
    signed_by: str
    rate: str
    unit: RateUnit
    currency: str = "USD"
    production_code: str | None = None


def grant_consent(studio: Studio, talent: Talent, terms: GrantTerms, actor: str) -> ConsentGrant:
    """Record a consent grant after checking it is informed, specific and signed by the right person.

    Raises:
        InvalidInput: vague description, empty or reversed period, bad rate, or a deceased
            performer's grant not signed by the estate.
        NotFound: the production does not exist.
    """
    description = check_description(terms.description)
    if terms.valid_until <= terms.valid_from:
        raise InvalidInput(
            f"the grant ends ({last_day(terms.valid_until):%Y-%m-%d}) before it starts ({terms.valid_from:%Y-%m-%d})",
            "give an --until day after the first day covered",
        )
    signatory = _signatory(talent, terms.signed_by)
    compensation = Compensation(rate=_rate(terms.rate), unit=terms.unit, currency=terms.currency.upper())
    with studio.transaction() as tx:
        production = tx.production(terms.production_code) if terms.production_code else None
        grant = ConsentGrant(
            talent_id=talent.id,
            use=terms.use,
            description=description,
            valid_from=terms.valid_from,
            valid_until=terms.valid_until,
            signed_by=terms.signed_by.strip(),
            signatory=signatory,
            compensation=compensation,
            production_id=production.id if production else None,
        )
        tx.registry.add(grant)
        tx.record("consent.granted", grant, actor)
    return grant


def change_grant(studio: Studio, grant_id: str, state: GrantState, by: str, reason: str) -> ConsentGrant:
    """Suspend, resume or revoke a grant; takes effect for every check from now on.

    Raises:
        NotFound: no such grant.
        InvalidTransition: the grant is revoked, or already in that state.
    """
    verb = {GrantState.SUSPENDED: "suspended", GrantState.ACTIVE: "resumed", GrantState.REVOKED: "revoked"}[state]
    with studio.transaction() as tx:
        grant = tx.ledgered(ConsentGrant, grant_id).change_state(state, by=by, reason=reason)
        tx.registry.update(grant)
        tx.record(f"consent.{verb}", grant, by, reason=reason)
    return grant


def _signatory(talent: Talent, signed_by: str) -> Signatory:
    signer = " ".join(signed_by.split()).casefold()
    if not signer:
        raise InvalidInput("the grant must say who signed it", "add --signed-by NAME")
    if talent.deceased:
        if signer != (talent.estate or "").casefold():
            raise InvalidInput(f"{talent.name} is deceased: the grant must be signed by the estate ({talent.estate})")
        return Signatory.ESTATE
    if signer not in {n.casefold() for n in talent.names}:
        raise InvalidInput(
            f"a grant for {talent.name} must be signed by {talent.name}", "the talent signs their own consent"
        )
    return Signatory.TALENT


def _rate(text: str) -> Decimal:
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"the rate {text!r} is not a number") from None
    if rate < 0 or not rate.is_finite():
        raise InvalidInput(f"the rate {text!r} must be zero or more")
    return rate
