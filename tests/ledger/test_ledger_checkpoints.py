"""Signed checkpoints in a file beside the database, on SQLite and PostgreSQL: written, chained, checked."""

import json
import logging
import threading

import pytest
from sqlalchemy import text

from greenlight.domain import LedgerEvent
from greenlight.ledger import GENESIS, Ledger, entry_hash
from greenlight.ledger.audit import Sourced, audit
from greenlight.ledger.checkpoint import Checkpoint, signature_problem
from greenlight.ledger.checkpoint_log import CheckpointLog
from greenlight.ledger.merkle import root_of
from greenlight.ledger.proof import check_proof, find_entry, prove
from greenlight.provenance.keys import StudioSeal, init_keys, load_seal, sign_bytes, verify_bytes


@pytest.fixture
def seal(tmp_path):
    init_keys(tmp_path / "keys")
    return load_seal(tmp_path / "keys")


@pytest.fixture
def log(tmp_path, seal):
    return CheckpointLog(tmp_path / "ledger" / "checkpoints.jsonl", lambda: seal)


def append(database, log, count: int, start: int = 1) -> None:
    for n in range(start, start + count):
        with database.session() as session:
            event = LedgerEvent(kind="talent.added", subject=f"tal_{n}", payload={"n": n})
            Ledger(session, seal=log.seal).append(event)
        log.update(database)


def report(database, log, others=()):
    with database.session() as session:
        return audit(session, log, others)


def lines(log) -> list[dict]:
    return [json.loads(line) for line in log.path.read_text().splitlines()]


def test_each_new_head_gets_one_signed_chained_line(database, log, seal):
    append(database, log, 5)
    assert log.update(database) == log.latest()  # nothing new: no new line
    written = lines(log)
    assert [w["tree_size"] for w in written] == [1, 2, 3, 4, 5]
    checkpoints = [Checkpoint.from_plain(w) for w in written]
    assert checkpoints[0].prev == GENESIS
    assert all(b.prev == a.id for a, b in zip(checkpoints, checkpoints[1:], strict=False))
    assert all(signature_problem(c, seal) is None and c.key_id == seal.key_id for c in checkpoints)
    with database.session() as session:
        hashes = [bytes.fromhex(r[3]) for r in Ledger(session).raw_rows()]
    assert checkpoints[-1].root_hash == root_of(hashes)
    result = report(database, log)
    assert (result.ok, result.protected, result.problems) == (True, True, ())


def test_a_shorter_ledger_is_not_signed_over_and_is_reported(database, log, caplog):
    append(database, log, 6)
    with database.session() as session:
        last = session.execute(text("SELECT hash FROM ledger_entries WHERE seq = 4")).scalar()
        session.execute(text("DELETE FROM ledger_entries WHERE seq > 4"))
        session.execute(text("UPDATE ledger_head SET count = 4, last_hash = :h"), {"h": last})
    with caplog.at_level(logging.WARNING):
        assert log.update(database) is None
    assert "fewer than the last checkpoint" in caplog.text
    assert len(lines(log)) == 6
    assert any("holds 4: entries 5 to 6 were removed" in p for p in report(database, log).problems)


def test_a_recomputed_chain_fails_the_merkle_root(database, log):
    append(database, log, 6)
    with database.session() as session:
        rows = session.execute(text("SELECT seq, record FROM ledger_entries ORDER BY seq")).all()
        prev = GENESIS
        for seq, record in rows:
            event = json.loads(record)
            if seq == 2:
                event["subject"] = "tal_forged"
            digest = entry_hash(seq, event, prev)
            # The subject column too, as a careful forger would (else the column's mismatch shows first).
            session.execute(text("UPDATE ledger_entries SET record = :r, subject = :j, prev_hash = :p, hash = :h "
                                 "WHERE seq = :s"),
                            {"r": json.dumps(event), "j": event["subject"], "p": prev, "h": digest, "s": seq})
            prev = digest
        session.execute(text("UPDATE ledger_head SET last_hash = :h"), {"h": prev})
    result = report(database, log)
    assert result.problems == ("ledger/checkpoints.jsonl line 2: the checkpoint of 2 entries signed "
                               f"{Checkpoint.from_plain(lines(log)[1]).when} does not match the ledger's first 2 "
                               "entries (Merkle root differs): an entry at or before 2 was rewritten",)
    append(database, log, 1, start=7)
    assert len(lines(log)) == 6  # a rewritten ledger is never signed over


def test_a_forged_last_line_is_not_signed_over(database, log, caplog):
    append(database, log, 3)
    forged = dict(lines(log)[-1], tree_size=3, signature="AAAA")
    with open(log.path, "a") as out:
        out.write(json.dumps(forged) + "\n")
    with caplog.at_level(logging.WARNING):
        append(database, log, 1, start=4)
    assert "signature does not verify" in caplog.text
    assert len(lines(log)) == 4


def test_without_a_key_checkpoints_are_unsigned_and_the_report_says_so(database, tmp_path):
    log = CheckpointLog(tmp_path / "checkpoints.jsonl", lambda: None)
    append(database, log, 3)
    assert all(w["signature"] is None and w["key_id"] is None for w in lines(log))
    result = report(database, log)
    assert (result.ok, result.protected) == (True, False)
    assert any(n.startswith("NOT protected") for n in result.notes)


def test_a_kept_checkpoint_signed_elsewhere_or_edited_is_refused(database, log, tmp_path):
    append(database, log, 3)
    kept = log.latest()
    attacker = init_keys(tmp_path / "other")
    other = StudioSeal(attacker.chain_pem, attacker.signer)
    forged = Checkpoint(3, kept.root_hash, kept.last_hash, kept.timestamp, kept.prev).sealed(other)
    result = report(database, log, [Sourced("legal.json", "given", kept),
                                    Sourced("forged.json", "given", forged)])
    assert result.problems == (f"forged.json: the checkpoint of 3 entries: it is signed by key {forged.key_id[:16]}…, "
                               f"not the studio's key {kept.key_id[:16]}…",)


def test_concurrent_appenders_write_monotonic_checkpoints(database, log):
    failures = []

    def work(worker: int) -> None:
        try:
            append(database, log, 8, start=worker * 100)
        except Exception as exc:  # a lost race shows here
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    sizes = [w["tree_size"] for w in lines(log)]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes) and sizes[-1] == 32
    assert report(database, log).problems == ()


def test_an_inclusion_proof_checks_against_the_signed_checkpoint(database, log, seal):
    append(database, log, 11)
    with database.session() as session:
        seq = find_entry(session, "tal_7")
        proof = prove(session, seq, log.latest())
    assert (seq, proof["tree_size"], check_proof(proof, seal)) == (7, 11, [])
    edited = json.loads(json.dumps(proof))
    edited["event"]["payload"]["n"] = 70
    assert check_proof(edited, seal) == ["entry 7's content does not hash to the proof's entry hash (edited)"]
    moved = dict(proof, leaf_index=5)
    assert "does not lead" in check_proof(moved, seal)[0]


def test_sign_and_verify_bytes_accept_a_raw_signature_from_a_callback_signer(seal, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    class RawSigner:  # a KMS client that returns r||s
        def sign(self, data: bytes) -> bytes:
            r, s = decode_dss_signature(seal.signer.sign(data))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    from greenlight.provenance.keys import SigningIdentity

    signature = sign_bytes(SigningIdentity(seal.chain_pem, RawSigner()), b"head")
    assert verify_bytes(seal.chain_pem, b"head", signature)
    assert not verify_bytes(seal.chain_pem, b"another head", signature)
    assert not verify_bytes(seal.chain_pem, b"head", b"\x30\x00")


def _keys_event(database) -> None:
    with database.session() as session:
        Ledger(session).append(LedgerEvent(kind="keys.created", subject="keys", payload={}))


def test_the_key_command_signs_its_first_line_at_the_key_entry_even_when_others_appended_first(database, log):
    append(database, log, 2)  # lines written before keys: here signed (the seal is there), as for a legacy studio
    log.path.unlink()
    _keys_event(database)
    append(database, log, 2, start=10)  # another process commits before the key command checkpoints ...
    assert log.read().lines == ()  # ... and is refused: the ledger records a key, the file has no signed line
    assert log.update(database, begin="keys").tree_size == 5
    assert [w["tree_size"] for w in lines(log)] == [3, 5]
    result = report(database, log)
    assert (result.ok, result.problems) == (True, ())


def test_a_keyed_ledger_is_not_signed_again_from_scratch(database, log):
    _keys_event(database)
    append(database, log, 3)
    assert log.update(database, begin="keys").tree_size == 4
    log.path.write_text("")
    append(database, log, 1, start=20)
    assert log.update(database) is None
    _keys_event(database)  # what `keys init` over the lost file appends: a second key entry, still refused
    assert log.update(database, begin="keys") is None
    assert lines(log) == []
    assert any("holds no signed checkpoint" in p for p in report(database, log).problems)
