"""The append-only, hash-chained ledger of every registry change and decision."""

from greenlight.ledger.chain import GENESIS, LedgerReport, entry_hash, verify_chain
from greenlight.ledger.log import Ledger

__all__ = ["GENESIS", "Ledger", "LedgerReport", "entry_hash", "verify_chain"]
