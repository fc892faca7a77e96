"""The preflight and postflight guards of a job, as pure decisions over what the scans found.

Preflight (before the engine runs): names in the job's text, consent for every talent the engine
will alter, and that talent's face really is in the input. Postflight (after it ran, before anything
is signed): every face in every output frame. For an engine that alters real footage, the altered
talent must still be the same person (identity drift blocks) and everyone else must be left as they
were; for an engine that makes new pixels, every face it made needs consent like any likeness.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from greenlight.domain import (
    ConsentGrant,
    Identity,
    Reason,
    ScanResult,
    SubjectKind,
    Talent,
    Verdict,
    WrittenApproval,
)
from greenlight.policy.consent import ConsentContext, consent_reasons
from greenlight.policy.names import name_reasons
from greenlight.policy.screening import NamedSubject, screen_text

# Parameters that are ids or settings, not free text to screen for names.
NOT_TEXT = frozenset({"talent_id", "use"})


@dataclass(frozen=True)
class JobFacts:
    """What the guards need to know about a job, gathered by the runtime."""

    context: ConsentContext
    talent: Mapping[str, Talent]
    grants: Sequence[ConsentGrant]
    subjects: Sequence[NamedSubject] = ()
    text: str = ""
    targets: tuple[str, ...] = ()  # talent ids the engine alters
    alters_footage: bool = False
    approvals: tuple[WrittenApproval, ...] = ()
    altered_faces: tuple[str, ...] = field(default=())  # non-target faces the runtime saw change


def job_text(params: Mapping[str, Any], input_names: Iterable[str] = ()) -> str:
    """Every free-text field of a job, one per line, for name screening.

    Args:
        params: the job's parameters; every string in them, nested lists and mappings included, is
            text (an outside tool's name too: ``ingest --tool``), except ids and settings (``NOT_TEXT``).
            Keys are text as well: the REST API takes any JSON object, so a key is written by the
            artist just as a value is (``{"Barack Obama": "hero likeness"}``). They come last, so the
            values stay next to each other as the artist wrote them ("O b a", "m a" is still Obama).
        input_names: the names the artist gave the input files ("obama_final.mp4" names someone).
    """
    fields = {k: v for k, v in params.items() if k not in NOT_TEXT}
    return "\n".join([*_strings(fields), *input_names, *_keys(fields)])


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [t for v in value.values() for t in _strings(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _strings(v)]
    return []


def _keys(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [t for k, v in value.items() for t in [str(k), *_keys(v)]]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _keys(v)]
    return []


def preflight_reasons(facts: JobFacts, inputs: Sequence[ScanResult]) -> tuple[Reason, ...]:
    """Reasons to let the engine run, escalate or block before it starts."""
    reasons = list(name_reasons(screen_text(facts.text, facts.subjects), facts.context, facts.talent, facts.grants))
    targets = [_target(facts, t) for t in facts.targets]
    reasons += consent_reasons(targets, facts.context, facts.talent, facts.grants)
    if facts.alters_footage:
        seen = {i.subject_id for scan in inputs for i in scan.identities()}
        for target in targets:
            if target.subject_id not in seen:
                why = f"{target.name} does not appear in the input, so there is nothing of theirs to alter"
                reasons.append(Reason(Verdict.BLOCK, "target.not-found", why, target.subject_id))
    return _apply_approvals(tuple(reasons), facts.approvals)


def postflight_reasons(facts: JobFacts, outputs: Sequence[ScanResult]) -> tuple[Reason, ...]:
    """Reasons to publish the outputs, escalate them, or block (quarantine) them."""
    found = [i for scan in outputs for i in scan.identities()]
    if not facts.alters_footage:
        return _apply_approvals(consent_reasons(found, facts.context, facts.talent, facts.grants), facts.approvals)
    reasons = list(
        consent_reasons([_target(facts, t) for t in facts.targets], facts.context, facts.talent, facts.grants)
    )
    for target in facts.targets:
        if not any(i.subject_id == target for i in found):
            name = facts.talent[target].name if target in facts.talent else target
            why = f"{name} is no longer recognised in the output: the alteration changed who the person is"
            reasons.append(Reason(Verdict.BLOCK, "identity.drift", why, target))
    for face in facts.altered_faces:
        why = f"a face that was not to be altered ({face}) changed in the output"
        reasons.append(Reason(Verdict.BLOCK, "face.altered", why, evidence={"face": face}))
    others = sum(1 for i in found if i.subject_id not in facts.targets)
    if others:
        why = f"{others} other face(s) of the source footage left as they were"
        reasons.append(Reason(Verdict.ALLOW, "face.untouched", why, evidence={"count": others}))
    return tuple(reasons)


def drawn_text_reasons(facts: JobFacts, text: str) -> tuple[Reason, ...]:
    """Names in words an engine drew into its outputs (a mood board's captions), judged like the job's text."""
    if not text.strip():
        return ()
    found = name_reasons(screen_text(text, facts.subjects), facts.context, facts.talent, facts.grants)
    return _apply_approvals(tuple(found), facts.approvals)


def publish_reasons(facts: JobFacts, named: Iterable[Identity]) -> tuple[Reason, ...]:
    """The last check, just before publishing: are the grants the job relies on still live now?"""
    people = [_target(facts, t) for t in facts.targets] + list(named)
    return consent_reasons(people, facts.context, facts.talent, facts.grants)


def _target(facts: JobFacts, talent_id: str) -> Identity:
    name = facts.talent[talent_id].name if talent_id in facts.talent else talent_id
    return Identity(SubjectKind.TALENT, talent_id, name)


def _apply_approvals(reasons: tuple[Reason, ...], approvals: tuple[WrittenApproval, ...]) -> tuple[Reason, ...]:
    """A written approval clears escalations (never blocks), and says so in the reason."""
    if not approvals:
        return reasons
    latest = approvals[-1]
    cleared = []
    for r in reasons:
        if r.verdict is Verdict.ESCALATE:
            why = f"{r.message} — cleared by written approval of {latest.by} ({latest.role}): {latest.note}"
            r = Reason(Verdict.ALLOW, f"approved.{r.code}", why, r.subject_id, {**r.evidence, "approved_by": latest.by})
        cleared.append(r)
    return tuple(cleared)
