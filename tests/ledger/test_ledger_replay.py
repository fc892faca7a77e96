"""Replaying the events must give the registry: rows written with their events agree, old events still check."""

from sqlalchemy import text

from greenlight.domain import LedgerEvent, LikenessReference, SubjectKind, Talent, to_plain
from greenlight.ledger import Ledger
from greenlight.ledger.replay import Replay, reference_sha256
from greenlight.store import Registry


def replayed(database) -> list[str]:
    replay = Replay()
    with database.session() as session:
        for entry in Ledger(session).entries():
            replay.feed(entry.seq, to_plain(entry.event))
        return replay.problems(session)


def enrol(database, pinned: bool) -> LikenessReference:
    with database.session() as session:
        registry, ledger = Registry(session), Ledger(session)
        jane = registry.add(Talent(name="Jane Doe"))
        ledger.append(LedgerEvent(kind="talent.added", subject=jane.id, payload={"record": to_plain(jane)}))
        ref = registry.add(LikenessReference(SubjectKind.TALENT, jane.id, "a" * 64, (0.1,) * 128, (1, 2, 3, 4)))
        payload = {"subject_kind": "talent", "subject_id": jane.id, "photo_sha256": "a" * 64, "photo": "jane.png"}
        if pinned:
            payload["reference_sha256"] = reference_sha256(ref)
        ledger.append(LedgerEvent(kind="likeness.enrolled", subject=ref.id, payload=payload))
        ledger.append(LedgerEvent(kind="keys.created", subject="keys", payload={"signer": "x"}))
    return ref


def swap_embedding(database, ref: LikenessReference) -> None:
    from dataclasses import replace

    from greenlight.domain import canonical_json

    with database.session() as session:
        session.execute(text("UPDATE likeness_references SET record = :r WHERE id = :i"),
                        {"r": canonical_json(replace(ref, embedding=(0.2,) * 128)), "i": ref.id})


def test_rows_written_with_their_events_replay_clean(database):
    enrol(database, pinned=True)
    assert replayed(database) == []


def test_an_enrolment_pins_its_embedding_by_hash(database):
    ref = enrol(database, pinned=True)
    swap_embedding(database, ref)
    assert replayed(database) == [f"likeness reference {ref.id}: the row's embedding, face box or date differ from "
                                  "what the ledger's entry 2 (likeness.enrolled) enrolled (reference_sha256 mismatch)"]


def test_an_enrolment_from_before_the_hash_still_checks_on_what_it_carries(database):
    ref = enrol(database, pinned=False)
    assert replayed(database) == []
    swap_embedding(database, ref)
    assert replayed(database) == []  # the old event cannot tell: the limit of events written before the hash
    with database.session() as session:
        session.execute(text("UPDATE likeness_references SET subject_id = 'tal_other' WHERE id = :i"), {"i": ref.id})
    assert replayed(database) == [f"likeness reference {ref.id}: column subject_id says 'tal_other', its own "
                                  f"record says '{ref.subject_id}'"]
