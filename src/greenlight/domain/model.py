"""A generative model the studio owns: a local diffusers folder registered under a name, pinned by its hash."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from greenlight.domain.serial import new_id, utcnow


@dataclass(frozen=True)
class GenerativeModel:
    """A registered model folder.

    ``sha256`` is the content hash of every file in the folder (relative paths and bytes), the identity
    a job and its outputs' Content Credentials name. ``fingerprint`` hashes the files' paths, sizes,
    modification and change times: a cheap check, before every job, that the folder is still what was hashed.
    """

    SCHEMA = "GenerativeModel.1"
    name: str
    folder: str
    pipeline: str  # the diffusers pipeline class named in model_index.json
    sha256: str
    fingerprint: str
    files: int
    size: int
    id: str = field(default_factory=lambda: new_id("model"))
    added_at: datetime = field(default_factory=utcnow)

    @property
    def label(self) -> str:
        """How a job and a manifest name the model: its name and content hash."""
        return f"{self.name} (sha256:{self.sha256})"
