"""The ledger in the database: appends in the caller's transaction, tamper detection, export."""

import json
import threading

import pytest
from sqlalchemy import delete, func, select, text, update

from greenlight.domain import LedgerEntry, LedgerEvent, LikenessReference, SubjectKind, Talent, from_plain, to_plain
from greenlight.errors import AlreadyExists, LedgerError
from greenlight.ledger import GENESIS, Ledger, entry_hash
from greenlight.store import Registry
from greenlight.store import files as files_module
from greenlight.store.tables import ledger_entries, ledger_head


def event(n: int) -> LedgerEvent:
    return LedgerEvent(kind="consent.granted", subject=f"grant_{n}", payload={"n": n, "note": "épisode 3"})


def fill(database, count: int) -> list[LedgerEntry]:
    with database.session() as session:
        ledger = Ledger(session)
        return [ledger.append(event(n)) for n in range(1, count + 1)]


def problems(database) -> tuple[str, ...]:
    with database.session() as session:
        return Ledger(session).verify().problems


def entry_count(database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(ledger_entries))


def test_entries_chain_and_read_back_equal(database):
    written = fill(database, 5)
    assert [e.seq for e in written] == [1, 2, 3, 4, 5]
    assert written[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(written, written[1:], strict=False))
    assert all(e.hash == entry_hash(e.seq, e.event, e.prev_hash) for e in written)
    with database.session() as session:
        ledger = Ledger(session)
        assert list(ledger.entries()) == written
        report = ledger.verify()
    assert (report.ok, report.count, report.problems) == (True, 5, ())


def test_a_rolled_back_transaction_leaves_no_entry_and_no_record(database):
    fill(database, 2)
    with pytest.raises(RuntimeError), database.session() as session:
        talent = Registry(session).add(Talent(name="Jane Doe"))
        Ledger(session).append(LedgerEvent(kind="talent.added", subject=talent.id, payload=to_plain(talent)))
        raise RuntimeError("crash after the ledger write")
    with database.session() as session:
        assert Registry(session).list(Talent) == []
    assert entry_count(database) == 2
    assert fill(database, 1)[0].seq == 3
    assert problems(database) == ()


def test_a_refused_enrolment_writes_nothing(database):
    with database.session() as session:
        jane = Registry(session).add(Talent(name="Jane Doe"))
        Registry(session).add(LikenessReference(SubjectKind.TALENT, jane.id, "a" * 64, (0.1,) * 128, (1, 2, 3, 4)))
    with pytest.raises(AlreadyExists, match="photo"), database.session() as session:
        registry, ledger = Registry(session), Ledger(session)
        other = registry.add(Talent(name="Someone Else"))
        ledger.append(LedgerEvent(kind="talent.added", subject=other.id, payload=to_plain(other)))
        reference = LikenessReference(SubjectKind.TALENT, other.id, "a" * 64, (0.2,) * 128, (1, 2, 3, 4))
        ledger.append(LedgerEvent(kind="likeness.enrolled", subject=reference.id, payload=to_plain(reference)))
        registry.add(reference)
    with database.session() as session:
        registry = Registry(session)
        assert [t.name for t in registry.list(Talent)] == ["Jane Doe"]
        assert [r.subject_id for r in registry.references()] == [jane.id]
    assert entry_count(database) == 0


def test_an_edited_entry_is_named(database):
    fill(database, 10)
    with database.session() as session:
        forged = json.dumps(to_plain(event(70)))
        session.execute(update(ledger_entries).where(ledger_entries.c.seq == 7).values(record=forged))
    assert problems(database) == ("entry 7 was edited (hash mismatch)",)


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(database):
    fill(database, 10)
    forged = to_plain(event(70))
    with database.session() as session:
        prev = session.scalar(select(ledger_entries.c.prev_hash).where(ledger_entries.c.seq == 7))
        values = {"record": json.dumps(forged), "hash": entry_hash(7, forged, prev)}
        session.execute(update(ledger_entries).where(ledger_entries.c.seq == 7).values(**values))
    assert problems(database) == ("entry 8 does not follow entry 7 (prev_hash mismatch: an entry was rewritten)",)


def test_a_removed_middle_entry_is_named(database):
    fill(database, 12)
    with database.session() as session:
        session.execute(delete(ledger_entries).where(ledger_entries.c.seq == 5))
    assert problems(database) == ("entry 5 is missing (gap after 4)",)


def test_a_removed_last_entry_is_caught_by_the_head(database):
    fill(database, 12)
    with database.session() as session:
        session.execute(delete(ledger_entries).where(ledger_entries.c.seq == 12))
    assert problems(database) == ("entry 12 is missing (the head counts 12, the last entry is 11)",)


def test_a_rewritten_last_entry_is_caught_by_the_head(database):
    fill(database, 4)
    forged = to_plain(event(40))
    with database.session() as session:
        prev = session.scalar(select(ledger_entries.c.prev_hash).where(ledger_entries.c.seq == 4))
        values = {"record": json.dumps(forged), "hash": entry_hash(4, forged, prev)}
        session.execute(update(ledger_entries).where(ledger_entries.c.seq == 4).values(**values))
    assert problems(database) == ("entry 4 was rewritten (head hash mismatch)",)


def test_swapped_entries_are_out_of_order(database):
    fill(database, 8)
    with database.session() as session:
        for old, new in ((4, -1), (5, 4), (-1, 5)):
            session.execute(update(ledger_entries).where(ledger_entries.c.seq == old).values(seq=new))
    assert problems(database) == ("entries 4 and 5 are out of order (prev_hash mismatch)",)


def test_entries_added_outside_the_ledger_and_a_missing_head_are_named(database):
    written = fill(database, 3)
    with database.session() as session:
        plain = to_plain(event(4))
        row = {"seq": 4, "kind": "x", "subject": "x", "prev_hash": written[-1].hash, "record": json.dumps(plain),
               "hash": entry_hash(4, plain, written[-1].hash)}
        session.execute(ledger_entries.insert().values(**row))
    assert problems(database) == ("entry 4 is not in the head's count of 3 (added outside the ledger)",)
    with database.session() as session:
        session.execute(delete(ledger_head))
    assert problems(database) == ("the ledger head is missing",)
    with pytest.raises(LedgerError, match="head row is missing"), database.session() as session:
        Ledger(session).append(event(5))


def test_export_writes_one_canonical_entry_per_line(database, tmp_path):
    written = fill(database, 4)
    target = tmp_path / "exports" / "ledger.jsonl"
    with database.session() as session:
        assert Ledger(session).export_jsonl(target) == 4
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [from_plain(LedgerEntry, json.loads(line)) for line in lines] == written
    assert "épisode 3" in lines[0]  # UTF-8, not escaped
    assert [p.name for p in target.parent.iterdir()] == ["ledger.jsonl"]


def test_a_failed_export_keeps_the_previous_file(database, tmp_path, monkeypatch):
    fill(database, 3)
    target = tmp_path / "exports" / "ledger.jsonl"
    target.parent.mkdir()
    target.write_text("previous export\n")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "replace", refuse)
    with pytest.raises(OSError), database.session() as session:
        Ledger(session).export_jsonl(target)
    assert target.read_text() == "previous export\n"
    assert [p.name for p in target.parent.iterdir()] == ["ledger.jsonl"]


def test_concurrent_writers_get_one_seq_each(database):
    writers, appends, failures = 4, 15, []

    def write(worker: int) -> None:
        try:
            for n in range(appends):
                with database.session() as session:
                    Ledger(session).append(event(worker * 100 + n))
        except Exception as exc:  # a lost race shows as a duplicate seq here
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with database.session() as session:
        report = Ledger(session).verify()
        subjects = {e.event.subject for e in Ledger(session).entries()}
    assert (report.ok, report.count) == (True, writers * appends)
    assert len(subjects) == writers * appends
    with database.session() as session:
        assert session.execute(text("SELECT count, last_hash FROM ledger_head")).one()[0] == writers * appends
