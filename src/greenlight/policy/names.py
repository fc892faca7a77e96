"""Reasons for names found in text: a named person needs consent just as a face does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from greenlight.domain import ConsentGrant, Identity, Reason, Talent, Verdict
from greenlight.policy.consent import ConsentContext, consent_reasons
from greenlight.policy.screening import NameHit


def name_reasons(
    hits: Sequence[NameHit],
    context: ConsentContext,
    talent: Mapping[str, Talent],
    grants: Sequence[ConsentGrant],
) -> tuple[Reason, ...]:
    """Reasons for every hit: persons go through the consent rules; works and possible hits escalate."""
    people = [
        Identity(hit.subject_kind, hit.subject.subject_id, hit.subject.display)
        for hit in hits
        if hit.subject.kind != "protected-work" and not hit.possible
    ]
    reasons = list(_with_origin(consent_reasons(people, context, talent, grants), "named in text"))
    for hit in hits:
        if hit.subject.kind == "protected-work":
            reasons.append(
                _escalate(
                    hit,
                    "protected.work",
                    f"names the protected work {hit.subject.display!r}; third-party IP needs written approval",
                )
            )
        elif hit.possible:
            reasons.append(
                _escalate(
                    hit, "name.possible", f"{hit.matched!r} may name {hit.subject.display}; a person must confirm"
                )
            )
    return tuple(reasons)


def _with_origin(reasons: tuple[Reason, ...], origin: str) -> tuple[Reason, ...]:
    return tuple(
        Reason(r.verdict, r.code, f"{r.message} ({origin})", r.subject_id, {**r.evidence, "origin": "text"})
        for r in reasons
    )


def _escalate(hit: NameHit, code: str, message: str) -> Reason:
    evidence = {"matched": hit.matched, "exact": hit.exact, "folded": hit.folded, "origin": "text"}
    return Reason(Verdict.ESCALATE, code, message, hit.subject.subject_id, evidence)
