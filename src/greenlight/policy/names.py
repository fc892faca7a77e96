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
    written = {hit.subject.subject_id: hit.matched for hit in hits if not hit.possible}
    reasons = list(_with_origin(consent_reasons(people, context, talent, grants), written))
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


def _with_origin(reasons: tuple[Reason, ...], written: Mapping[str, str]) -> tuple[Reason, ...]:
    """Each reason saying it comes from the text, and as what it was written there (a folder's name, the tool's,
    a backwards spelling: the reader of a block sees what to look for)."""
    return tuple(
        Reason(r.verdict, r.code, f"{r.message} (named in text as {written[r.subject_id]!r})"
               if r.subject_id in written else f"{r.message} (named in text)", r.subject_id,
               {**r.evidence, "origin": "text"})
        for r in reasons
    )


def _escalate(hit: NameHit, code: str, message: str) -> Reason:
    evidence = {"matched": hit.matched, "exact": hit.exact, "folded": hit.folded, "origin": "text"}
    return Reason(Verdict.ESCALATE, code, message, hit.subject.subject_id, evidence)
