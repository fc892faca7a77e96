"""The registry: every record round-trips, lookups, and duplicates refused with a clear error."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from greenlight.domain import (
    Asset,
    Compensation,
    ConsentGrant,
    Decision,
    GrantState,
    Job,
    JobInput,
    JobState,
    LifeStatus,
    LikenessReference,
    Production,
    ProtectedPerson,
    ProtectedWork,
    RateUnit,
    Reason,
    Signatory,
    SubjectKind,
    Talent,
    Use,
    Verdict,
    utcnow,
)
from greenlight.domain.access import AccessToken, Role
from greenlight.domain.model import GenerativeModel
from greenlight.errors import AlreadyExists, NotFound
from greenlight.store import Registry, tables
from greenlight.store.registry import KINDS, kind_of

SHA_A, SHA_B = "a" * 64, "b" * 64


def reference(subject_id: str, photo: str = SHA_A) -> LikenessReference:
    return LikenessReference(
        subject_kind=SubjectKind.TALENT, subject_id=subject_id, photo_sha256=photo,
        embedding=tuple(i / 128 - 0.5 for i in range(128)), box=(10, 20, 110, 140),
    )


def grant(talent: Talent, production: Production | None) -> ConsentGrant:
    now = utcnow()
    return ConsentGrant(
        talent_id=talent.id, use=Use.DIGITAL_ALTERATION,
        description="de-age by about twenty years in the flashback scenes of episode three",
        valid_from=now, valid_until=now + timedelta(days=90), signed_by="Jane Doe", signatory=Signatory.TALENT,
        compensation=Compensation(rate=Decimal("125.50"), unit=RateUnit.PER_SECOND, currency="EUR"),
        production_id=production.id if production else None,
    )


def one_of_each() -> list:
    production = Production(code="NS", title="Night Shift")
    talent = Talent(name="Jane Doe", aliases=("J. Doe",), representative="Agency & Co")
    late = Talent(name="Old Star", status=LifeStatus.DECEASED, estate="Old Star Estate")
    person = ProtectedPerson(name="A. Senator", aliases=("The Senator",), note="public figure")
    work = ProtectedWork(title="Space Saga", characters=("Captain Nova",), owner="Other Studio")
    revoked = grant(late, None).change_state(GrantState.REVOKED, by="estate", reason="withdrawn")
    reason = Reason(Verdict.BLOCK, "no-consent", "no grant covers this use", talent.id, {"distance": 0.31})
    decision = Decision.from_reasons((reason,), production_id=production.id, use="previs", subject="job_1")
    job = Job(engine="deage", params={"talent_id": talent.id, "years": 20}, production_id=production.id,
              inputs=(JobInput(sha256=SHA_A, name="take_03.mp4", media="video"),), requested_by="editor", seed=7)
    job = job.to(JobState.PREFLIGHT, by="executor").to(JobState.RUNNING, by="executor")
    asset = Asset(sha256=SHA_B, path="assets/bb/bb/" + SHA_B + ".png", size=1234, media_type="image/png",
                  role="output", job_id=job.id, mark="0123456789ab")
    model = GenerativeModel(name="Studio SD 1.5", folder="/models/sd15", pipeline="StableDiffusionPipeline",
                            sha256=SHA_A, fingerprint=SHA_B, files=14, size=2_000_000_000)
    token = AccessToken(holder="Sam Okafor", role=Role.TALENT_REP, secret_sha256=SHA_A, talent_id=talent.id,
                        expires_at=utcnow() + timedelta(days=30), created_by="admin")
    return [production, talent, late, person, work, reference(talent.id), grant(talent, production), revoked,
            decision, job, asset, model, token]


def test_every_record_round_trips(database):
    records = one_of_each()
    assert {type(r) for r in records} == set(KINDS)
    with database.session() as session:
        registry = Registry(session)
        for record in records:
            registry.add(record)
    with database.session() as session:
        registry = Registry(session)
        for record in records:
            assert registry.get(type(record), record.id) == record
        assert [r for r in records if isinstance(r, Talent)] == registry.list(Talent)


def test_list_keeps_the_order_records_were_added(database):
    names = ["Zed", "Amy", "Mo", "Bea"]
    with database.session() as session:
        for name in names:
            Registry(session).add(Talent(name=name))
    with database.session() as session:
        assert [t.name for t in Registry(session).list(Talent)] == names


def test_lookups_by_name_code_or_id_ignore_case(database):
    with database.session() as session:
        registry = Registry(session)
        production = registry.add(Production(code="NS-01", title="Night Shift"))
        talent = registry.add(Talent(name="Jane Doe"))
        person = registry.add(ProtectedPerson(name="A. Senator"))
        assert registry.production("ns-01") == registry.production(production.id) == production
        assert registry.talent("  jane   DOE ") == registry.talent(talent.id) == talent
        assert registry.protected_person("a. senator") == person


def test_an_unknown_talent_says_how_to_list_them(database):
    with database.session() as session, pytest.raises(NotFound) as caught:
        Registry(session).talent("Nobody Here")
    assert "Nobody Here" in caught.value.problem
    assert "greenlight talent list" in caught.value.hint


@pytest.mark.parametrize(
    ("first", "second", "words"),
    [
        (Production(code="NS", title="Night Shift"), Production(code="ns", title="Other"), "code 'ns'"),
        (Talent(name="Jane Doe"), Talent(name="JANE  doe"), "name 'JANE  doe'"),
        (ProtectedPerson(name="A. Senator"), ProtectedPerson(name="a. senator"), "name 'a. senator'"),
        (Talent(name="Jane Doe", id="tal_same"), Talent(name="Other", id="tal_same"), "id 'tal_same'"),
    ],
)
def test_duplicates_are_refused_and_the_transaction_stays_usable(database, first, second, words):
    with database.session() as session:
        registry = Registry(session)
        registry.add(first)
        with pytest.raises(AlreadyExists, match=words):
            registry.add(second)
        later = registry.add(ProtectedWork(title="Still Fine"))  # the refusal does not spoil the transaction
    with database.session() as session:
        assert Registry(session).list(type(first)) == [first]
        assert Registry(session).list(ProtectedWork) == [later]


def test_a_photo_enrols_one_likeness_only_for_anyone(database):
    with database.session() as session:
        registry = Registry(session)
        jane, other = registry.add(Talent(name="Jane Doe")), registry.add(Talent(name="Other"))
        first = registry.add(reference(jane.id))
        for again in (reference(jane.id), reference(other.id)):
            with pytest.raises(AlreadyExists, match="photo sha256") as caught:
                registry.add(again)
            assert "another photo" in caught.value.hint
        assert registry.references() == [first]
        assert registry.reference_for_photo(SHA_A) == first
        assert registry.reference_for_photo(SHA_B) is None


def test_the_database_itself_refuses_a_second_enrolment_of_a_photo(database):
    row = {"subject_id": "tal_x", "photo_sha256": SHA_A, "record": "{}"}
    with database.session() as session:
        session.execute(insert(tables.likeness_references).values(id="ref_1", **row))
    with pytest.raises(IntegrityError), database.session() as session:
        session.execute(insert(tables.likeness_references).values(id="ref_2", **row))


def test_grants_are_listed_per_talent_and_updated_in_place(database):
    with database.session() as session:
        registry = Registry(session)
        production = registry.add(Production(code="NS", title="Night Shift"))
        jane, other = registry.add(Talent(name="Jane Doe")), registry.add(Talent(name="Other"))
        janes = [registry.add(grant(jane, production)), registry.add(grant(jane, None))]
        registry.add(grant(other, production))
    suspended = janes[0].change_state(GrantState.SUSPENDED, by="union", reason="strike")
    with database.session() as session:
        registry = Registry(session)
        assert registry.grants(jane.id) == janes
        assert len(registry.grants()) == 3
        registry.update(suspended)
    with database.session() as session:
        registry = Registry(session)
        assert registry.grant(janes[0].id) == suspended
        assert [g.state for g in registry.grants(jane.id)] == [GrantState.SUSPENDED, GrantState.ACTIVE]


def test_updating_an_unknown_record_is_not_found(database):
    with database.session() as session, pytest.raises(NotFound, match="to update"):
        Registry(session).update(Talent(name="Never Added"))


def test_a_grant_for_missing_talent_or_production_is_refused(database):
    with database.session() as session:
        registry = Registry(session)
        jane = registry.add(Talent(name="Jane Doe"))
        with pytest.raises(NotFound, match="names talent 'tal_nobody'"):
            registry.add(grant(Talent(name="Ghost", id="tal_nobody"), None))
        with pytest.raises(NotFound, match="names production 'prod_nowhere'"):
            registry.add(grant(jane, Production(code="X", title="X", id="prod_nowhere")))
        assert registry.grants() == []


def test_decisions_and_assets_are_found_by_subject_and_hash(database):
    records = one_of_each()
    decision = next(r for r in records if isinstance(r, Decision))
    asset = next(r for r in records if isinstance(r, Asset))
    with database.session() as session:
        registry = Registry(session)
        registry.add_decision(decision)
        registry.add(asset)
        assert registry.decisions("job_1") == registry.decisions() == [decision]
        assert registry.decisions("job_2") == []
        assert registry.asset(SHA_B) == registry.asset(asset.id) == asset
        with pytest.raises(AlreadyExists, match="sha256"):
            registry.add(Asset(sha256=SHA_B, path="elsewhere", size=1, media_type="image/png"))
        with pytest.raises(NotFound):
            registry.asset(SHA_A)


def test_only_registry_records_have_a_table():
    with pytest.raises(TypeError, match="Reason records are not stored"):
        kind_of(Reason)
