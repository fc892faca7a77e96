"""A signed checkpoint of the ledger head (RFC 9162 signed tree heads as the model), and its signature check.

A checkpoint says: the ledger held ``tree_size`` entries, the Merkle root of their hashes was
``root_hash`` and the last entry's hash ``last_hash``, at ``timestamp``; the studio key (``key_id``)
signs that, and ``prev`` chains it to the checkpoint before it. Someone who can write the database but
not use the key cannot make a shorter or rewritten ledger match a checkpoint already written.
``greenlight.ledger.checkpoint_log`` keeps them in a file outside the database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from greenlight.ledger.chain import GENESIS

SCHEMA = "greenlight.checkpoint.1"
_CONTEXT = b"greenlight ledger checkpoint v1\n"  # domain separation: this signature means nothing elsewhere


class Seal(Protocol):
    """The studio key as checkpoints need it (``greenlight.provenance.keys.StudioSeal``)."""

    @property
    def key_id(self) -> str: ...

    @property
    def can_sign(self) -> bool: ...

    def sign(self, data: bytes) -> bytes: ...

    def verify(self, data: bytes, signature: bytes) -> bool: ...


@dataclass(frozen=True)
class Checkpoint:
    """A signed tree head of the ledger. ``timestamp`` is milliseconds since the epoch (UTC)."""

    tree_size: int
    root_hash: str
    last_hash: str
    timestamp: int
    prev: str = GENESIS
    key_id: str | None = None
    signature: str | None = None  # base64 of the DER ES256 signature of ``signed_bytes()``
    # Set on the first line of a checkpoints file started again by `ledger restart-checkpoints` after the
    # old one was lost: the entry that records the restart. Nothing in the file vouches for entries before it.
    restarted_at: int | None = None

    def body(self) -> dict[str, Any]:
        """Every signed field, with the schema label (``restarted_at`` only when set, so older lines still verify)."""
        body = {"schema": SCHEMA, "tree_size": self.tree_size, "root_hash": self.root_hash,
                "last_hash": self.last_hash, "timestamp": self.timestamp, "prev": self.prev, "key_id": self.key_id}
        return body if self.restarted_at is None else {**body, "restarted_at": self.restarted_at}

    def signed_bytes(self) -> bytes:
        return _CONTEXT + json.dumps(self.body(), sort_keys=True, separators=(",", ":")).encode("utf-8")

    def to_plain(self) -> dict[str, Any]:
        return {**self.body(), "signature": self.signature}

    @property
    def id(self) -> str:
        """The hex sha256 of the checkpoint with its signature: what the next checkpoint's ``prev`` holds."""
        text = json.dumps(self.to_plain(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def when(self) -> str:
        return datetime.fromtimestamp(self.timestamp / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def sealed(self, seal: Seal | None) -> Checkpoint:
        """This checkpoint signed with ``seal`` (unsigned, with no key id, when there is none)."""
        if seal is None:
            return replace(self, key_id=None, signature=None)
        signed = replace(self, key_id=seal.key_id)
        return replace(signed, signature=base64.b64encode(seal.sign(signed.signed_bytes())).decode("ascii"))

    @classmethod
    def from_plain(cls, data: Any) -> Checkpoint:
        """Read a checkpoint from ``to_plain`` output (extra keys are ignored).

        Raises:
            ValueError: another schema, a missing field or a field of the wrong kind.
        """
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} record")
        try:
            checkpoint = cls(int(data["tree_size"]), str(data["root_hash"]), str(data["last_hash"]),
                             int(data["timestamp"]), str(data["prev"]), data.get("key_id"), data.get("signature"),
                             None if data.get("restarted_at") is None else int(data["restarted_at"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"a checkpoint field is missing or malformed ({exc})") from None
        if checkpoint.tree_size < 0 or not all(_is_hash(h) for h in (checkpoint.root_hash, checkpoint.last_hash)):
            raise ValueError("a checkpoint's size or hashes are malformed")
        return checkpoint


def signature_problem(checkpoint: Checkpoint, seal: Seal | None) -> str | None:
    """Why ``checkpoint``'s signature does not hold for the studio key, or None when it does."""
    if checkpoint.signature is None:
        return "it is unsigned"
    if seal is None:
        return f"it is signed by key {_short(checkpoint.key_id)}, but the studio has no signing certificate to check it"
    if checkpoint.key_id != seal.key_id:
        return f"it is signed by key {_short(checkpoint.key_id)}, not the studio's key {_short(seal.key_id)}"
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if not signature or not seal.verify(checkpoint.signed_bytes(), signature):
        return "its signature does not verify with the studio key (forged or edited)"
    return None


def _is_hash(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _short(key: str | None) -> str:
    return f"{key[:16]}…" if key else "(none)"
