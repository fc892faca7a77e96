"""The ledger: ``/ledger/verify`` (as `greenlight ledger verify --json`) and ``/ledger/export`` (JSON Lines)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from greenlight.api.auth import Home, Who

router = APIRouter(tags=["ledger"])


@router.get("/ledger/verify", name="ledger.verify")
def verify(who: Who, studio: Home, accept_restart: int | None = None) -> dict[str, Any]:
    """Check the chain, every signed checkpoint (the studio's file, every output's Content Credentials) and every
    registry row against the ledger's events; ``ok`` false names what broke."""
    from greenlight.runtime.ledgerbook import audit_plain, verify_ledger

    return audit_plain(verify_ledger(studio, (), accept_restart))


@router.get("/ledger/export", name="ledger.export",
            responses={200: {"content": {"application/jsonl": {}}, "description": "one entry per line"}})
def export(who: Who, studio: Home) -> StreamingResponse:
    """Every ledger entry as JSON Lines, oldest first (the lines `greenlight ledger export` writes)."""
    from greenlight.runtime.ledgerbook import ledger_lines

    return StreamingResponse(ledger_lines(studio), media_type="application/jsonl",
                             headers={"Content-Disposition": 'attachment; filename="ledger.jsonl"'})
