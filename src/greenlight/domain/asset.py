"""A file the studio holds: found by its content hash, stored under the studio's assets folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from greenlight.domain.serial import new_id, utcnow


@dataclass(frozen=True)
class Asset:
    """One stored file. ``path`` is relative to the studio folder, with forward slashes."""

    SCHEMA = "Asset.1"
    sha256: str
    path: str
    size: int
    media_type: str
    id: str = field(default_factory=lambda: new_id("asset"))
    created_at: datetime = field(default_factory=utcnow)
