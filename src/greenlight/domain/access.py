"""Who may do what through the studio service: roles, access tokens and the caller a token identifies.

A token's secret is shown once, when it is created; the studio keeps only its SHA-256, so a copy of the
database gives nobody a working token. Every token expires, and a revoked one stays on record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from greenlight.domain.serial import new_id, utcnow


class Role(StrEnum):
    """The jobs people do on a production, each with its own view of the studio."""

    ADMIN = "admin"  # runs the studio: tokens, registry, everything
    PRODUCER = "producer"  # submits jobs for the production
    ARTIST = "artist"  # submits jobs and sees their own
    REVIEWER = "reviewer"  # approves or rejects outputs
    LEGAL = "legal"  # policy, and the written approvals escalated jobs wait for
    TALENT_REP = "talent-rep"  # a talent's representative: sees, vetoes and counts only that talent's drafts


@dataclass(frozen=True)
class AccessToken:
    """A bearer token for one person in one role (a talent representative's is tied to one talent)."""

    SCHEMA = "AccessToken.1"
    holder: str  # who it was issued to, as the ledger names them
    role: Role
    secret_sha256: str
    expires_at: datetime
    talent_id: str | None = None
    created_by: str = ""
    created_at: datetime = field(default_factory=utcnow)
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    id: str = field(default_factory=lambda: new_id("tok"))

    def state(self, now: datetime) -> str:
        """``live``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if now >= self.expires_at else "live"


@dataclass(frozen=True)
class Caller:
    """The person behind a request, as a live token identifies them."""

    token_id: str
    holder: str
    role: Role
    talent_id: str | None = None

    @property
    def actor(self) -> str:
        """How the ledger names them: ``Ana Ruiz (reviewer)``."""
        return f"{self.holder} ({self.role.value})"
