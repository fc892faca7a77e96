"""Consent decisions: who is in the picture (or named in the text), and does a live grant cover it.

The rules, in order of severity:

- enrolled talent with an active grant for this use, this production, now → allow;
- talent without one → block, naming what is wrong (no grant, suspended, revoked, expired, another
  use or production, or for a deceased performer no grant signed by the estate);
- a protected person → block, unless a live grant names that person;
- an unknown face → escalate: a person must say who it is;
- a face close to several enrolled subjects (``Identity.also``) needs each one's consent.

Without a context (no production or use given) consent cannot be checked: enrolled talent escalates,
protected persons still block, unknown faces still escalate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from greenlight.domain import (
    ConsentGrant,
    GrantState,
    Identity,
    Reason,
    Signatory,
    SubjectKind,
    Talent,
    Use,
    Verdict,
)
from greenlight.domain.compensation import meters


@dataclass(frozen=True)
class ConsentContext:
    """What a consent check is about: this production, this use, this moment.

    ``media`` is what the job makes (``"image"``, ``"video"``), when known: of several grants that cover
    the use, one whose rate unit can meter that media is relied on first (a per-image grant for a still
    rather than a per-second one).
    """

    production_id: str
    use: Use
    at: datetime
    media: tuple[str, ...] = ()


def consent_reasons(
    identities: Iterable[Identity],
    context: ConsentContext | None,
    talent: Mapping[str, Talent],
    grants: Sequence[ConsentGrant],
) -> tuple[Reason, ...]:
    """One reason per distinct person seen (unknown faces count once each).

    Args:
        identities: every identity a scan found, or named in text.
        context: the production, use and time being checked, or None when not known.
        talent: enrolled talent by id (to know who is deceased).
        grants: every grant of the people involved, in any state.
    """
    reasons: list[Reason] = []
    seen: set[str] = set()
    unknown = 0
    for identity in (c for i in identities for c in i.candidates()):
        if identity.kind is SubjectKind.UNKNOWN:
            unknown += 1
            continue
        if identity.subject_id in seen:
            continue
        seen.add(identity.subject_id)
        mine = [g for g in grants if g.talent_id == identity.subject_id]
        if context is None:
            reasons.append(_unchecked(identity))
        elif identity.kind is SubjectKind.TALENT:
            reasons.append(_talent_reason(identity, talent.get(identity.subject_id), mine, context))
        else:
            reasons.append(_protected_reason(identity, mine, context))
    if unknown:
        reasons.append(
            Reason(
                Verdict.ESCALATE,
                "face.unknown",
                f"{unknown} face(s) match no enrolled talent or protected person; a person must identify them",
                evidence={"count": unknown},
            )
        )
    return tuple(reasons)


def _unchecked(identity: Identity) -> Reason:
    if identity.kind is SubjectKind.PROTECTED:
        return _block(identity, "protected.person", f"{identity.name} is a protected person")
    why = f"{identity.name} is enrolled talent; give a production and a use to check consent"
    return Reason(Verdict.ESCALATE, "consent.unchecked", why, identity.subject_id, {"distance": identity.distance})


def _covering(grants: Iterable[ConsentGrant], context: ConsentContext) -> ConsentGrant | None:
    covering = [g for g in grants if g.covers(context.production_id, context.use, context.at)]
    metering = [g for g in covering if all(meters(g.compensation.unit, m) for m in context.media)]
    return next(iter(metering or covering), None)


def _allow(identity: Identity, grant: ConsentGrant) -> Reason:
    return Reason(
        Verdict.ALLOW,
        "consent.covered",
        f"{identity.name} is covered by grant {grant.id} ({grant.use.value})",
        subject_id=identity.subject_id,
        evidence={"grant_id": grant.id, "distance": identity.distance},
    )


def _talent_reason(
    identity: Identity, person: Talent | None, grants: list[ConsentGrant], context: ConsentContext
) -> Reason:
    if person is not None and person.deceased:
        estate = [g for g in grants if g.signatory is Signatory.ESTATE]
        if not estate:
            why = f"{identity.name} is deceased and no grant is signed by the estate"
            return _block(identity, "consent.estate-required", why)
        grants = estate
    grant = _covering(grants, context)
    if grant:
        return _allow(identity, grant)
    code, why = _why_not_covered(grants, context)
    return _block(identity, code, f"{identity.name}: {why}")


def _protected_reason(identity: Identity, grants: list[ConsentGrant], context: ConsentContext) -> Reason:
    grant = _covering(grants, context)
    if grant:
        return _allow(identity, grant)
    return _block(identity, "protected.person", f"{identity.name} is a protected person and no grant names them")


def _block(identity: Identity, code: str, message: str) -> Reason:
    evidence = {"distance": identity.distance}
    return Reason(Verdict.BLOCK, code, message, subject_id=identity.subject_id, evidence=evidence)


def _why_not_covered(grants: list[ConsentGrant], context: ConsentContext) -> tuple[str, str]:
    """The most telling reason none of these grants covers the context."""
    relevant = [g for g in grants if g.use is context.use and g.production_id in (None, context.production_id)]
    if not grants:
        return "consent.missing", "no consent grant"
    if not relevant:
        return "consent.other-scope", f"no grant for use {context.use.value} in this production"
    states = {g.state for g in relevant}
    if GrantState.SUSPENDED in states:
        return "consent.suspended", "consent for this use is suspended"
    if states == {GrantState.REVOKED}:
        return "consent.revoked", "consent for this use was revoked"
    if any(g.state is GrantState.ACTIVE and g.expired(context.at) for g in relevant):
        return "consent.expired", "consent for this use has expired"
    return "consent.not-yet-valid", "consent for this use is not yet valid"
