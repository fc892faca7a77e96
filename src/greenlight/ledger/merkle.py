"""The Merkle tree over the ledger's entry hashes, as RFC 9162 (Certificate Transparency 2.0) defines it.

A leaf is an entry's hash (32 raw bytes); ``leaf_hash = SHA-256(0x00 || leaf)`` and
``node_hash = SHA-256(0x01 || left || right)``, so a leaf can never pass for a node. The tree of ``n``
leaves splits at the largest power of two below ``n`` (RFC 9162 section 2.1.1).

``Frontier`` keeps only the roots of the perfect subtrees that make up the tree so far (at most
log2(n) hashes), so a checkpoint of a long ledger is extended by its new entries alone, and one pass
over the ledger gives the root at every size a checkpoint names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def leaf_hash(leaf: bytes) -> bytes:
    """RFC 9162 leaf hash of one entry hash (raw bytes)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class Frontier:
    """The tree so far, as the roots of its perfect subtrees, largest (leftmost) first.

    ``subtrees[i]`` covers ``2**k`` leaves where the ``k`` are the set bits of ``size``, high to low.
    """

    def __init__(self, size: int = 0, subtrees: Sequence[bytes] = ()) -> None:
        if len(subtrees) != bin(size).count("1"):
            raise ValueError(f"a tree of {size} leaves has {bin(size).count('1')} subtrees, not {len(subtrees)}")
        self.size = size
        self.subtrees = list(subtrees)

    def append(self, leaf: bytes) -> None:
        """Add one entry hash (raw bytes) as the next leaf."""
        node, size = leaf_hash(leaf), self.size
        # Each trailing 1 bit of the old size is a subtree of the new leaf's size: merge them.
        while size & 1:
            node = node_hash(self.subtrees.pop(), node)
            size >>= 1
        self.subtrees.append(node)
        self.size += 1

    def root(self) -> str:
        """The hex Merkle tree hash of the leaves so far (SHA-256 of nothing for an empty tree)."""
        if not self.subtrees:
            return EMPTY_ROOT
        node = self.subtrees[-1]
        for left in reversed(self.subtrees[:-1]):
            node = node_hash(left, node)
        return node.hex()

    def to_hex(self) -> list[str]:
        return [s.hex() for s in self.subtrees]

    @classmethod
    def from_hex(cls, size: int, subtrees: Sequence[str]) -> Frontier:
        """A frontier read back from ``to_hex``. Raises ValueError for a malformed one."""
        return cls(size, [bytes.fromhex(s) for s in subtrees])


def root_of(leaves: Sequence[bytes]) -> str:
    """The hex Merkle tree hash of ``leaves`` (entry hashes as raw bytes)."""
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    return frontier.root()


def _mth(leaves: Sequence[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    split = _split(len(leaves))
    return node_hash(_mth(leaves[:split]), _mth(leaves[split:]))


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[str]:
    """The RFC 9162 audit path (hex, leaf side first) proving ``leaves[index]`` is in the tree of ``leaves``.

    Raises:
        IndexError: ``index`` is not a leaf of the tree.
    """
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)}")
    path: list[bytes] = []
    while len(leaves) > 1:
        split = _split(len(leaves))
        if index < split:
            path.append(_mth(leaves[split:]))
            leaves = leaves[:split]
        else:
            path.append(_mth(leaves[:split]))
            leaves, index = leaves[split:], index - split
    return [p.hex() for p in reversed(path)]


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[str], root: str) -> bool:
    """True when ``path`` proves ``leaf`` is leaf ``index`` of the tree of ``size`` leaves with ``root``.

    The verification algorithm of RFC 9162 section 2.1.3.2.
    """
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    node = leaf_hash(leaf)
    for sibling_hex in path:
        sibling = bytes.fromhex(sibling_hex)
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            node = node_hash(node, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and node.hex() == root
