"""The REST routes under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from greenlight.api.auth import caller
from greenlight.domain.access import Caller

router = APIRouter()


@router.get("/whoami", tags=["access"])
def whoami(who: Annotated[Caller, Depends(caller)]) -> dict[str, str | None]:
    """The caller the presented token identifies."""
    return {"token": who.token_id, "holder": who.holder, "role": who.role.value, "talent_id": who.talent_id}
