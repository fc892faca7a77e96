"""A job is data: engine, parameters, inputs by content hash, seed, production, who asked.

Its life cycle::

    queued → preflight → running → postflight → in_review → approved | rejected
    any step before review may instead end blocked, failed or cancelled; preflight and postflight
    may escalate (waiting for written approval), after which the job is queued again or stopped;
    a job in review or approved is blocked when its consent is no longer live at approval or export.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from greenlight.domain.serial import new_id, utcnow
from greenlight.errors import InvalidTransition


class JobState(enum.Enum):
    QUEUED = "queued"
    PREFLIGHT = "preflight"
    RUNNING = "running"
    POSTFLIGHT = "postflight"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    BLOCKED = "blocked"
    ESCALATED = "escalated"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in _FINAL


_FINAL = {JobState.APPROVED, JobState.REJECTED, JobState.BLOCKED, JobState.FAILED, JobState.CANCELLED}
_STOPS = {JobState.BLOCKED, JobState.FAILED, JobState.CANCELLED}
ALLOWED: dict[JobState, set[JobState]] = {
    JobState.QUEUED: {JobState.PREFLIGHT} | _STOPS,
    JobState.PREFLIGHT: {JobState.RUNNING, JobState.ESCALATED, JobState.QUEUED} | _STOPS,
    JobState.ESCALATED: {JobState.QUEUED} | _STOPS,
    JobState.RUNNING: {JobState.POSTFLIGHT, JobState.QUEUED} | _STOPS,
    JobState.POSTFLIGHT: {JobState.IN_REVIEW, JobState.ESCALATED, JobState.QUEUED} | _STOPS,
    JobState.IN_REVIEW: {JobState.APPROVED, JobState.REJECTED, JobState.BLOCKED},
    # An approved job whose consent is withdrawn before it is delivered is stopped at the next gate.
    JobState.APPROVED: {JobState.BLOCKED},
}


@dataclass(frozen=True)
class JobInput:
    """An input file by content hash, with the name the artist gave it."""

    SCHEMA = "JobInput.1"
    sha256: str
    name: str
    media: str


@dataclass(frozen=True)
class Transition:
    SCHEMA = "JobTransition.1"
    state: JobState
    at: datetime
    by: str
    note: str = ""


APPROVER_ROLES = ("legal", "business-affairs")
"""Who may give the written approval an escalated job waits for (studio rules: legal sign-off)."""


@dataclass(frozen=True)
class WrittenApproval:
    """A written approval that lets an escalated job go on: who gave it, in what role, and why.

    It clears escalations only (an unknown face identified, a protected work licensed); a block
    is never cleared by an approval: it needs consent.
    """

    SCHEMA = "WrittenApproval.1"
    by: str
    role: str
    note: str
    at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Usage:
    """Approved use of a likeness, metered for compensation: so many seconds or images under a grant."""

    SCHEMA = "Usage.1"
    grant_id: str
    talent_id: str
    unit: str  # a RateUnit value
    quantity: float


@dataclass(frozen=True)
class Veto:
    """A talent's (or their representative's) veto of a draft that shows them: it blocks approval.

    A vetoed job may still be rejected; it can never be approved.
    """

    SCHEMA = "Veto.1"
    talent_id: str
    by: str
    note: str
    at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Job:
    """One run of one engine. The same spec (engine, params, inputs, seed) gives the same output."""

    SCHEMA = "Job.1"
    engine: str
    params: dict[str, Any]
    inputs: tuple[JobInput, ...]
    production_id: str
    requested_by: str
    seed: int = 0
    state: JobState = JobState.QUEUED
    history: tuple[Transition, ...] = ()
    outputs: tuple[str, ...] = ()
    grant_ids: tuple[str, ...] = ()
    approvals: tuple[WrittenApproval, ...] = ()
    usage: tuple[Usage, ...] = ()
    id: str = field(default_factory=lambda: new_id("job"))
    created_at: datetime = field(default_factory=utcnow)
    # After created_at: records written before vetoes existed read back with none.
    vetoes: tuple[Veto, ...] = ()

    def to(self, state: JobState, by: str, note: str = "", at: datetime | None = None) -> Job:
        """A copy in ``state`` with the step recorded.

        Raises:
            InvalidTransition: the life cycle does not allow this step from the current state.
        """
        if state not in ALLOWED.get(self.state, set()):
            raise InvalidTransition(
                f"job {self.id} is {self.state.value} and cannot become {state.value}",
                "see `greenlight jobs show` for where it stands",
            )
        step = Transition(state=state, at=at or utcnow(), by=by, note=note)
        return replace(self, state=state, history=(*self.history, step))
