"""Typed guard decisions: allow, escalate (a person must decide) or block, with reasons."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from greenlight.domain.serial import new_id, utcnow


class Verdict(enum.Enum):
    ALLOW = "allow"
    ESCALATE = "escalate"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        return {"allow": 0, "escalate": 1, "block": 2}[self.value]

    @property
    def exit_code(self) -> int:
        """The CLI's exit status for this verdict: 0 allow, 3 escalate, 4 block."""
        return {"allow": 0, "escalate": 3, "block": 4}[self.value]


@dataclass(frozen=True)
class Reason:
    """Why a verdict was reached. ``code`` is stable (for scripts); ``message`` is for people."""

    SCHEMA = "Reason.1"
    verdict: Verdict
    code: str
    message: str
    subject_id: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """The outcome of a guard: the most severe verdict among its reasons.

    ``stage`` names the gate that decided: ``preflight``, ``postflight``, ``publish``, ``approve`` or
    ``export`` for a job, ``scan`` or ``screen`` for a file or a text checked on its own. Decisions
    recorded before this field existed have None here; their ledger entry (``decision.made``) says it.
    """

    SCHEMA = "Decision.1"
    verdict: Verdict
    reasons: tuple[Reason, ...]
    production_id: str | None
    use: str | None
    subject: str
    id: str = field(default_factory=lambda: new_id("dec"))
    at: datetime = field(default_factory=utcnow)
    stage: str | None = None

    @classmethod
    def from_reasons(cls, reasons: tuple[Reason, ...], **kwargs: Any) -> Decision:
        """The decision whose verdict is the most severe reason's (allow when there are none)."""
        verdict = max((r.verdict for r in reasons), key=lambda v: v.severity, default=Verdict.ALLOW)
        return cls(verdict=verdict, reasons=reasons, **kwargs)
