"""The Merkle tree over entry hashes, against RFC 9162's definitions written out independently here."""

import hashlib

import pytest

from greenlight.ledger.merkle import EMPTY_ROOT, Frontier, inclusion_proof, root_of, verify_inclusion


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(f"entry {i}".encode()).digest() for i in range(n)]


def mth(data: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.1, literally."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < len(data):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(data[:k]) + mth(data[k:])).digest()


@pytest.mark.parametrize("n", [*range(0, 18), 31, 32, 33, 100])
def test_the_root_is_rfc_9162s_tree_hash(n):
    assert root_of(leaves(n)) == mth(leaves(n)).hex()


def test_an_empty_tree_hashes_nothing_and_a_frontier_round_trips():
    assert root_of([]) == EMPTY_ROOT == hashlib.sha256(b"").hexdigest()
    frontier = Frontier()
    for leaf in leaves(13):
        frontier.append(leaf)
    again = Frontier.from_hex(13, frontier.to_hex())
    again.append(leaves(14)[-1])
    assert len(frontier.subtrees) == 3 and again.root() == root_of(leaves(14))
    with pytest.raises(ValueError):
        Frontier.from_hex(13, frontier.to_hex()[:2])


def test_every_inclusion_proof_verifies_and_nothing_else_does():
    for size in range(1, 21):
        data = leaves(size)
        root = root_of(data)
        for index in range(size):
            path = inclusion_proof(data, index)
            assert verify_inclusion(data[index], index, size, path, root), (index, size)
            assert not verify_inclusion(b"\x00" * 32, index, size, path, root)
            if size > 1:
                assert not verify_inclusion(data[index], (index + 1) % size, size, path, root)
            if path:
                bent = [("0" if path[0][0] != "0" else "1") + path[0][1:], *path[1:]]
                assert not verify_inclusion(data[index], index, size, bent, root)
    assert not verify_inclusion(leaves(1)[0], 1, 1, [], root_of(leaves(1)))
    with pytest.raises(IndexError):
        inclusion_proof(leaves(3), 3)
