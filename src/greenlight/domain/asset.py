"""A file the studio holds: found by its content hash, stored under the studio's assets folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from greenlight.domain.serial import new_id, utcnow


@dataclass(frozen=True)
class Asset:
    """One stored file. ``path`` is relative to the studio folder, with forward slashes.

    ``role`` says what the file is to the studio: an ``input`` an artist gave, an ``original`` that
    came in from outside, a signed ``output`` awaiting review, or a ``quarantined`` output a guard
    blocked (kept for the record, never published). ``mark`` is the watermark payload (12 hex digits)
    that a signed output carries, so a copy stripped of its manifest can still be traced here.
    """

    SCHEMA = "Asset.1"
    sha256: str
    path: str
    size: int
    media_type: str
    role: str = "input"
    job_id: str | None = None
    mark: str | None = None
    id: str = field(default_factory=lambda: new_id("asset"))
    created_at: datetime = field(default_factory=utcnow)
