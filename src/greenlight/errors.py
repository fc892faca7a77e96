"""Typed errors. Each says what was wrong and what to do about it, in one line.

Every layer raises these; the CLI turns them into a one-line message and an exit status.
"""

from __future__ import annotations


class GreenlightError(Exception):
    """Base of every error Greenlight raises on purpose.

    Args:
        problem: what was wrong, naming the file or record involved.
        hint: what the user can do about it (optional).
    """

    exit_code = 2

    def __init__(self, problem: str, hint: str = "") -> None:
        self.problem = problem
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.problem} — {self.hint}" if self.hint else self.problem


class InvalidInput(GreenlightError):
    """A value given by the user is not acceptable (empty description, unknown use, bad date)."""


class MediaError(InvalidInput):
    """A media file cannot be read: empty, truncated, not what its name says, or too large."""

    def __init__(self, path: object, problem: str, hint: str = "") -> None:
        self.path = str(path)
        super().__init__(f"{path}: {problem}", hint)


class EnrolmentError(InvalidInput):
    """A reference photo cannot enrol a likeness (no face, several faces, already enrolled)."""


class NotFound(GreenlightError):
    """A production, talent, grant or asset named by the user does not exist."""


class AlreadyExists(GreenlightError):
    """A record with the same identity is already in the studio."""


class StudioError(GreenlightError):
    """The studio folder or database is missing, unreadable or not initialised."""


class OutsideStudio(StudioError):
    """A path points outside the studio folder where only studio files are allowed."""


class LedgerError(GreenlightError):
    """The ledger cannot be appended to or does not verify."""


class ProvenanceError(GreenlightError):
    """Signing, watermarking or verifying Content Credentials failed."""


class InvalidTransition(GreenlightError):
    """A state change that the life cycle does not allow (resume a revoked grant, approve a blocked job)."""


class Blocked(GreenlightError):
    """A guard stopped the action: consent is not live for it (the job is blocked, its outputs held)."""

    exit_code = 4


class Unauthorized(GreenlightError):
    """A service request carries no token, or one that is unknown, expired or revoked (HTTP 401)."""


class Forbidden(GreenlightError):
    """The caller's role may not do this, or the record belongs to another talent (HTTP 403)."""


class UnitMismatch(InvalidInput):
    """A grant's rate unit cannot meter what a job makes (per second on a still, per image on a video)."""


class Vetoed(InvalidTransition):
    """A talent's representative vetoed the job: it cannot be approved (it may still be rejected)."""

    exit_code = 4
