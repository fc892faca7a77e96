"""Consent grants: who agreed to what use, in which production, for how long, on what terms.

A grant is never edited in place: suspending, resuming or revoking it returns a new grant with one
more entry in its ``history``. A revoked grant stays revoked.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from greenlight.domain.serial import new_id, utcnow
from greenlight.errors import InvalidInput, InvalidTransition


class Use(enum.Enum):
    """The kinds of use a grant may cover (guild terms name each separately)."""

    DIGITAL_ALTERATION = "digital-alteration"
    EMPLOYMENT_REPLICA = "employment-replica"
    INDEPENDENT_REPLICA = "independent-replica"
    PREVIS = "previs"
    BACKGROUND_REPLICA = "background-replica"

    @classmethod
    def parse(cls, text: str) -> Use:
        try:
            return cls(text.strip().lower())
        except ValueError:
            known = ", ".join(u.value for u in cls)
            raise InvalidInput(f"unknown use {text!r}", f"use one of: {known}") from None


class GrantState(enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class RateUnit(enum.Enum):
    PER_SECOND = "per-approved-second"
    PER_IMAGE = "per-approved-image"
    FLAT = "flat"


class Signatory(enum.Enum):
    TALENT = "talent"
    ESTATE = "estate"


@dataclass(frozen=True)
class Compensation:
    """What the talent is owed for approved use."""

    SCHEMA = "Compensation.1"
    rate: Decimal
    unit: RateUnit
    currency: str = "USD"


@dataclass(frozen=True)
class StateChange:
    SCHEMA = "StateChange.1"
    state: GrantState
    at: datetime
    by: str
    reason: str = ""


@dataclass(frozen=True)
class ConsentGrant:
    """Informed consent for one use of one talent's likeness.

    ``production_id`` of ``None`` means every production of the studio.
    """

    SCHEMA = "ConsentGrant.1"
    talent_id: str
    use: Use
    description: str
    valid_from: datetime
    valid_until: datetime
    signed_by: str
    signatory: Signatory
    compensation: Compensation
    production_id: str | None = None
    state: GrantState = GrantState.ACTIVE
    history: tuple[StateChange, ...] = ()
    id: str = field(default_factory=lambda: new_id("grant"))
    created_at: datetime = field(default_factory=utcnow)

    def covers(self, production_id: str, use: Use, at: datetime) -> bool:
        """True when this grant is active and covers this use in this production at this time."""
        return (
            self.state is GrantState.ACTIVE
            and self.use is use
            and self.production_id in (None, production_id)
            and self.valid_from <= at < self.valid_until
        )

    def expired(self, at: datetime) -> bool:
        return at >= self.valid_until

    @property
    def last_day(self) -> date:
        """The last calendar day (UTC) the grant covers: ``valid_until`` itself is exclusive."""
        return last_day(self.valid_until)

    def change_state(self, new: GrantState, by: str, reason: str, at: datetime | None = None) -> ConsentGrant:
        """A copy in state ``new`` with the change recorded.

        Raises:
            InvalidTransition: the grant is revoked, or already in that state.
        """
        if self.state is GrantState.REVOKED:
            raise InvalidTransition(f"grant {self.id} is revoked", "a revoked grant cannot change; ask for a new grant")
        if self.state is new:
            raise InvalidTransition(f"grant {self.id} is already {new.value}")
        change = StateChange(state=new, at=at or utcnow(), by=by, reason=reason)
        return replace(self, state=new, history=(*self.history, change))


_BOILERPLATE = re.compile(
    r"^(any|all|every|general|various|standard|unspecified|tbd|tbc|n/?a|none|misc|lorem ipsum)\b"
    r"|\b(any and all|all (uses|purposes|media)|any (use|purpose|media)|as needed|in perpetuity|"
    r"for any reason|whatever|lorem ipsum|to be (determined|confirmed))\b",
    re.IGNORECASE,
)
MIN_DESCRIPTION_WORDS = 8


def check_description(text: str) -> str:
    """Return ``text`` stripped if it is a reasonably specific description of the intended use.

    Raises:
        InvalidInput: the text is empty, too short, or boilerplate such as "any and all uses".
    """
    cleaned = " ".join(text.split())
    hint = (
        "describe the scene, the alteration and where it will be seen, "
        "e.g. 'de-age by about 20 years in the flashback scenes of episode 3'"
    )
    if not cleaned:
        raise InvalidInput("the consent description is empty", hint)
    if _BOILERPLATE.search(cleaned):
        raise InvalidInput(f"the consent description {cleaned!r} is boilerplate, not a specific use", hint)
    words = re.findall(r"[^\W\d_]{2,}", cleaned)
    if len(words) < MIN_DESCRIPTION_WORDS or len(set(w.lower() for w in words)) < MIN_DESCRIPTION_WORDS - 2:
        raise InvalidInput(f"the consent description {cleaned!r} is too vague", hint)
    return cleaned


def last_day(valid_until: datetime) -> date:
    """The last day (UTC) a period ending at ``valid_until`` (exclusive) covers."""
    return (valid_until.astimezone(UTC) - timedelta(microseconds=1)).date()
