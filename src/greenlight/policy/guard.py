"""Guard decisions built from the rules: what a scan or a text means for this production and use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from greenlight.domain import ConsentGrant, Decision, Reason, ScanResult, Talent
from greenlight.policy.consent import ConsentContext, consent_reasons
from greenlight.policy.names import name_reasons
from greenlight.policy.screening import NamedSubject, screen_text


def likeness_decision(
    scan: ScanResult,
    context: ConsentContext | None,
    talent: Mapping[str, Talent],
    grants: Sequence[ConsentGrant],
) -> Decision:
    """The decision for every face a scan found (see ``consent_reasons`` for the rules)."""
    reasons = consent_reasons(scan.identities(), context, talent, grants)
    return _decision(reasons, context, f"sha256:{scan.sha256}")


def text_decision(
    text: str,
    context: ConsentContext,
    subjects: Iterable[NamedSubject],
    talent: Mapping[str, Talent],
    grants: Sequence[ConsentGrant],
) -> Decision:
    """The decision for names of talent, protected persons and works found in ``text``."""
    hits = screen_text(text, subjects)
    return _decision(name_reasons(hits, context, talent, grants), context, "text")


def _decision(reasons: tuple[Reason, ...], context: ConsentContext | None, subject: str) -> Decision:
    return Decision.from_reasons(
        reasons,
        production_id=context.production_id if context else None,
        use=context.use.value if context else None,
        subject=subject,
    )
