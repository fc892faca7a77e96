"""Productions: ``/productions``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from greenlight.api.auth import Home, Who
from greenlight.domain import Production, to_plain

router = APIRouter(tags=["productions"])


class ProductionRequest(BaseModel):
    code: str = Field(description="Short code, e.g. NIGHTFALL.")
    title: str = Field(description='Full title, e.g. "Nightfall, season 1".')


@router.get("/productions", name="productions.list")
def list_productions(who: Who, studio: Home) -> list[dict[str, Any]]:
    """Every production, oldest first."""
    with studio.transaction() as tx:
        return [to_plain(p) for p in tx.registry.list(Production)]


@router.post("/productions", name="productions.add", status_code=201)
def add_production(body: ProductionRequest, who: Who, studio: Home) -> dict[str, Any]:
    """Add a production consent can be granted for."""
    from greenlight.runtime.registry import add_production as add

    return to_plain(add(studio, body.code, body.title, who.actor))
