"""The hash chain on its own: the hash formula and the checks, without a database."""

import hashlib
import json

from greenlight.domain import LedgerEvent, canonical_json, to_plain
from greenlight.ledger import GENESIS, entry_hash, verify_chain


def event(n: int) -> LedgerEvent:
    return LedgerEvent(kind="talent.added", subject=f"tal_{n}", payload={"n": n, "fee": 1.5})


def chain(count: int) -> list[tuple[int, dict, str, str]]:
    rows, prev = [], GENESIS
    for seq in range(1, count + 1):
        plain = to_plain(event(seq))
        rows.append((seq, plain, prev, entry_hash(seq, plain, prev)))
        prev = rows[-1][3]
    return rows


def head_of(rows):
    return (rows[-1][0], rows[-1][3]) if rows else (0, GENESIS)


def test_the_hash_covers_seq_prev_hash_and_event():
    body = {"seq": 3, "prev_hash": "f" * 64, "event": to_plain(event(3))}
    expected = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert entry_hash(3, event(3), "f" * 64) == expected
    assert entry_hash(3, to_plain(event(3)), "f" * 64) == expected  # the record and its JSON form agree
    assert canonical_json(body) == json.dumps(body, sort_keys=True, separators=(",", ":"))
    assert len({entry_hash(3, event(3), "f" * 64), entry_hash(4, event(3), "f" * 64),
                entry_hash(3, event(4), "f" * 64), entry_hash(3, event(3), "e" * 64)}) == 4


def test_an_intact_chain_and_an_empty_one_verify():
    rows = chain(5)
    assert verify_chain(rows, head_of(rows)).problems == ()
    assert verify_chain(rows, head_of(rows)).ok
    assert verify_chain([], head_of([])).ok


def test_a_rotation_of_three_entries_is_reported_as_out_of_order():
    rows = chain(6)
    moved = [rows[0], rows[1], (3, *rows[4][1:]), (4, *rows[2][1:]), (5, *rows[3][1:]), rows[5]]
    report = verify_chain(moved, head_of(rows))
    assert not report.ok
    assert all("out of order" in p for p in report.problems)
    assert {int(w) for p in report.problems for w in p.split() if w.isdigit()} == {3, 4, 5}


def test_the_first_entries_missing_and_a_run_missing_are_named():
    rows = chain(8)
    report = verify_chain(rows[2:4] + rows[6:], head_of(rows))
    assert report.problems == ("entries 1 to 2 are missing (gap before 3)", "entries 5 to 6 are missing (gap after 4)")
    assert report.count == 4


def test_a_rewritten_first_entry_does_not_start_the_chain():
    rows = chain(3)
    forged_prev = "1" * 64
    rows[0] = (1, rows[0][1], forged_prev, entry_hash(1, rows[0][1], forged_prev))
    assert verify_chain(rows, head_of(rows)).problems == (
        "entry 1 does not start the chain (prev_hash mismatch: an entry was rewritten)",
        "entry 2 does not follow entry 1 (prev_hash mismatch: an entry was rewritten)",
    )


def test_forged_links_that_loop_end_the_check():
    rows = chain(3)
    rows[1] = (2, rows[1][1], rows[2][3], rows[1][3])  # 2 points at 3
    rows[2] = (3, to_plain(event(99)), rows[1][3], rows[2][3])  # 3, edited, points at 2
    report = verify_chain(rows, head_of(rows))
    assert report.problems == ("entry 2 was edited (hash mismatch)", "entry 3 was edited (hash mismatch)")


def test_a_missing_head_is_a_problem():
    assert verify_chain(chain(2), None).problems == ("the ledger head is missing",)
