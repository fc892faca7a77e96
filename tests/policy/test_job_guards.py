"""The preflight, postflight and publish guards of a job, on pure records."""

from dataclasses import replace

from tests.policy.test_consent_rules import ANNA, CONTEXT, TALENT, grant

from greenlight.domain import (
    Box,
    FaceFinding,
    GrantState,
    Identity,
    ScanResult,
    SubjectKind,
    Verdict,
    WrittenApproval,
)
from greenlight.policy.jobs import JobFacts, postflight_reasons, preflight_reasons, publish_reasons
from greenlight.policy.screening import NamedSubject

STRANGER = Identity(SubjectKind.UNKNOWN, None, None, 0.74)


def still(*identities: Identity) -> ScanResult:
    faces = tuple(FaceFinding(Box(10 * i, 0, 10 * i + 8, 8), who) for i, who in enumerate(identities))
    return ScanResult("take.png", "0" * 64, "image", 100, 100, faces=faces)


def deage(**changes) -> JobFacts:
    facts = JobFacts(CONTEXT, TALENT, [grant()], targets=(ANNA.id,), alters_footage=True)
    return replace(facts, **changes)


def anna(distance: float = 0.3) -> Identity:
    return Identity(SubjectKind.TALENT, ANNA.id, ANNA.name, distance)


def verdicts(reasons) -> dict[str, Verdict]:
    return {r.code: r.verdict for r in reasons}


def test_preflight_allows_a_covered_target_seen_in_the_input():
    assert verdicts(preflight_reasons(deage(), [still(anna())])) == {"consent.covered": Verdict.ALLOW}


def test_preflight_blocks_a_target_without_consent_or_not_in_the_input():
    assert verdicts(preflight_reasons(deage(grants=[]), [still(anna())]))["consent.missing"] is Verdict.BLOCK
    assert verdicts(preflight_reasons(deage(), [still(STRANGER)]))["target.not-found"] is Verdict.BLOCK


def test_preflight_screens_the_job_text_for_protected_works():
    work = NamedSubject("protected-work", "work_sv", "Star Voyagers", ("Star Voyagers", "Captain Orla Vance"))
    facts = deage(subjects=[work], text="make her look like Captain Orla Vance")
    assert verdicts(preflight_reasons(facts, [still(anna())]))["protected.work"] is Verdict.ESCALATE


def test_postflight_blocks_identity_drift():
    reasons = postflight_reasons(deage(), [still(STRANGER)])  # the de-aged face no longer matches Anna
    assert verdicts(reasons)["identity.drift"] is Verdict.BLOCK


def test_postflight_blocks_when_anyone_else_was_altered():
    reasons = postflight_reasons(deage(altered_faces=("track 2",)), [still(anna(), STRANGER)])
    assert verdicts(reasons)["face.altered"] is Verdict.BLOCK


def test_postflight_allows_the_target_kept_and_others_untouched():
    reasons = verdicts(postflight_reasons(deage(), [still(anna(0.41), STRANGER)]))
    assert reasons == {"consent.covered": Verdict.ALLOW, "face.untouched": Verdict.ALLOW}


def test_a_generated_face_needs_consent_like_any_likeness():
    made = JobFacts(CONTEXT, TALENT, [], alters_footage=False)
    assert verdicts(postflight_reasons(made, [still(anna())]))["consent.missing"] is Verdict.BLOCK
    assert verdicts(postflight_reasons(made, [still(STRANGER)]))["face.unknown"] is Verdict.ESCALATE


def test_written_approval_clears_escalations_never_blocks():
    approval = WrittenApproval(by="Dana Legal", role="legal", note="crowd extras cleared by release forms")
    made = JobFacts(CONTEXT, TALENT, [], alters_footage=False, approvals=(approval,))
    assert verdicts(postflight_reasons(made, [still(STRANGER)])) == {"approved.face.unknown": Verdict.ALLOW}
    assert verdicts(postflight_reasons(made, [still(anna())]))["consent.missing"] is Verdict.BLOCK


def test_publish_blocks_a_grant_revoked_since_the_run_began():
    revoked = grant().change_state(GrantState.REVOKED, ANNA.name, "withdrawn")
    assert verdicts(publish_reasons(deage(), ()))["consent.covered"] is Verdict.ALLOW
    assert verdicts(publish_reasons(deage(grants=[revoked]), ()))["consent.revoked"] is Verdict.BLOCK
