"""Who is calling, and the tokens an admin issues: ``/whoami``, ``/tokens``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from greenlight.api.auth import Home, Who
from greenlight.domain import to_plain
from greenlight.domain.access import Role

router = APIRouter(tags=["access"])


class TokenRequest(BaseModel):
    """A token for one person in one role; a talent-rep token names the talent it represents."""

    holder: str = Field(description="Who it is for, as the ledger will name them.")
    role: Role
    talent: str | None = Field(None, description="Talent name or id (talent-rep tokens only).")
    expires_at: datetime | None = Field(None, description="When it stops working (default: 30 days; at most a year).")


@router.get("/whoami", name="whoami")
def whoami(who: Who) -> dict[str, str | None]:
    """The caller the presented token identifies."""
    return {"token": who.token_id, "holder": who.holder, "role": who.role.value, "talent_id": who.talent_id}


@router.get("/tokens", name="tokens.list")
def list_tokens(who: Who, studio: Home) -> list[dict[str, Any]]:
    """Every token issued (never a secret: only its hash is kept, and that is not shown either)."""
    from greenlight.domain import utcnow
    from greenlight.runtime.access import tokens

    now = utcnow()
    return [{**{k: v for k, v in to_plain(t).items() if k != "secret_sha256"}, "state": t.state(now)}
            for t in tokens(studio)]


@router.post("/tokens", name="tokens.create", status_code=201)
def create_token(body: TokenRequest, who: Who, studio: Home) -> dict[str, Any]:
    """Issue a token; its secret is in this response and nowhere else."""
    from greenlight.runtime.access import issue

    token, secret = issue(studio, body.holder, body.role, who.actor, talent=body.talent, expires_at=body.expires_at)
    return {"id": token.id, "holder": token.holder, "role": token.role.value, "talent_id": token.talent_id,
            "expires_at": to_plain(token.expires_at), "secret": secret}


@router.post("/tokens/{token_id}/revoke", name="tokens.revoke")
def revoke_token(token_id: str, who: Who, studio: Home) -> dict[str, Any]:
    """Revoke a token at once: the next request carrying it is refused."""
    from greenlight.runtime.access import revoke

    token = revoke(studio, token_id, who.actor)
    return {"id": token.id, "revoked_at": to_plain(token.revoked_at), "revoked_by": token.revoked_by}
