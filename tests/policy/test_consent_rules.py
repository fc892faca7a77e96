"""Every consent rule, one test each, on pure records (the likeness tests use real faces)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from greenlight.domain import (
    Compensation,
    ConsentGrant,
    GrantState,
    Identity,
    LifeStatus,
    RateUnit,
    Signatory,
    SubjectKind,
    Talent,
    Use,
    Verdict,
)
from greenlight.errors import InvalidInput, InvalidTransition
from greenlight.policy import ConsentContext, consent_reasons

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
DESCRIPTION = "De-age by about twenty years for the flashback scenes of episode three, theatrical and streaming"
ANNA = Talent(name="Anna Kowalska", id="tal_anna")
RUTH = Talent(name="Ruth Ellery", status=LifeStatus.DECEASED, estate="Ellery Estate", id="tal_ruth")
TALENT = {t.id: t for t in (ANNA, RUTH)}
CONTEXT = ConsentContext(production_id="prod_a", use=Use.DIGITAL_ALTERATION, at=NOW)


def grant(talent=ANNA, **changes) -> ConsentGrant:
    fields = dict(
        talent_id=talent.id,
        use=Use.DIGITAL_ALTERATION,
        description=DESCRIPTION,
        valid_from=NOW - timedelta(days=30),
        valid_until=NOW + timedelta(days=30),
        signed_by=talent.name,
        signatory=Signatory.TALENT,
        compensation=Compensation(rate=Decimal("120"), unit=RateUnit.PER_SECOND),
        production_id="prod_a",
    )
    return ConsentGrant(**{**fields, **changes})


def seen(talent=ANNA, kind=SubjectKind.TALENT) -> Identity:
    return Identity(kind, talent.id, talent.name, 0.3)


def verdict(identities, grants) -> tuple[Verdict, list[str]]:
    reasons = consent_reasons(identities, CONTEXT, TALENT, grants)
    worst = max((r.verdict for r in reasons), key=lambda v: v.severity, default=Verdict.ALLOW)
    return worst, [r.code for r in reasons]


def test_active_grant_for_this_use_and_production_allows():
    assert verdict([seen()], [grant()]) == (Verdict.ALLOW, ["consent.covered"])


def test_grant_for_every_production_allows():
    assert verdict([seen()], [grant(production_id=None)])[0] is Verdict.ALLOW


def test_talent_without_grant_is_blocked():
    assert verdict([seen()], []) == (Verdict.BLOCK, ["consent.missing"])


@pytest.mark.parametrize("change", [{"production_id": "prod_b"}, {"use": Use.PREVIS}])
def test_grant_for_another_production_or_use_blocks(change):
    assert verdict([seen()], [grant(**change)]) == (Verdict.BLOCK, ["consent.other-scope"])


def test_suspended_grant_blocks_and_resumed_allows():
    suspended = grant().change_state(GrantState.SUSPENDED, by="SAG rep", reason="strike")
    assert verdict([seen()], [suspended]) == (Verdict.BLOCK, ["consent.suspended"])
    resumed = suspended.change_state(GrantState.ACTIVE, by="SAG rep", reason="strike over")
    assert verdict([seen()], [resumed])[0] is Verdict.ALLOW
    assert [c.state for c in resumed.history] == [GrantState.SUSPENDED, GrantState.ACTIVE]


def test_revoked_grant_blocks_for_good():
    revoked = grant().change_state(GrantState.REVOKED, by="Anna Kowalska", reason="withdrawn")
    assert verdict([seen()], [revoked]) == (Verdict.BLOCK, ["consent.revoked"])
    with pytest.raises(InvalidTransition, match="revoked"):
        revoked.change_state(GrantState.ACTIVE, by="studio", reason="")


def test_expired_and_future_grants_block():
    assert verdict([seen()], [grant(valid_until=NOW)]) == (Verdict.BLOCK, ["consent.expired"])
    assert verdict([seen()], [grant(valid_from=NOW + timedelta(days=1))]) == (Verdict.BLOCK, ["consent.not-yet-valid"])


def test_deceased_talent_needs_the_estate():
    by_talent = grant(RUTH)
    assert verdict([seen(RUTH)], [by_talent]) == (Verdict.BLOCK, ["consent.estate-required"])
    by_estate = grant(RUTH, signatory=Signatory.ESTATE, signed_by="Ellery Estate")
    assert verdict([seen(RUTH)], [by_estate])[0] is Verdict.ALLOW


def test_protected_person_is_blocked_unless_a_grant_names_them():
    figure = Identity(SubjectKind.PROTECTED, "pp_1", "A. Statesman", 0.4)
    assert verdict([figure], [grant()]) == (Verdict.BLOCK, ["protected.person"])
    named = grant(Talent(name="A. Statesman", id="pp_1"), signatory=Signatory.ESTATE)
    assert verdict([figure], [named])[0] is Verdict.ALLOW


def test_unknown_face_escalates_and_block_outranks_it():
    stranger = Identity(SubjectKind.UNKNOWN, distance=0.8)
    assert verdict([stranger, stranger], []) == (Verdict.ESCALATE, ["face.unknown"])
    assert verdict([stranger, seen()], [])[0] is Verdict.BLOCK


def test_one_reason_per_person_even_across_many_tracks():
    assert verdict([seen(), seen(), seen()], [grant()]) == (Verdict.ALLOW, ["consent.covered"])


def test_no_faces_allows():
    assert verdict([], []) == (Verdict.ALLOW, [])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "any use",
        "Any and all uses in all media throughout the universe in perpetuity forever",
        "general purposes",
        "TBD",
        "use use use use use use use use use",
    ],
)
def test_vague_or_boilerplate_descriptions_are_refused(text):
    from greenlight.domain import check_description

    with pytest.raises(InvalidInput):
        check_description(text)


def test_specific_description_is_accepted():
    from greenlight.domain import check_description

    assert check_description(f"  {DESCRIPTION} ") == DESCRIPTION
