"""A studio with signing keys, one production and enrolled talent, built through the runtime API.

The talent are people the sample cache always has: the astronaut Eileen Collins (the lead) and Joe
Biden; Barack Obama is left for the tests to protect, or to stand for a face nobody enrolled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from greenlight.domain import ConsentGrant, RateUnit, Talent, Use, utcnow
from greenlight.runtime.consent import GrantTerms, grant_consent
from greenlight.runtime.registry import add_production, add_talent, enrol
from greenlight.runtime.studio import Studio

PRODUCTION = "NIGHTFALL"
LEAD, SECOND = "Eileen Collins", "Joe Biden"
LEAD_PHOTO = "eileen_collins/eileen_collins1.png"
SECOND_PHOTO = "biden/biden.jpg"


@dataclass
class Cast:
    studio: Studio
    lead: Talent
    second: Talent | None
    faces: Path

    @property
    def lead_photo(self) -> Path:
        return self.faces / LEAD_PHOTO

    def grant(self, talent: Talent, use: Use, unit: RateUnit = RateUnit.PER_SECOND) -> ConsentGrant:
        terms = GrantTerms(
            use=use,
            description=f"{use.value} of {talent.name} in the rehearsal-room flashback of episode two, streaming",
            valid_from=utcnow() - timedelta(days=1),
            valid_until=utcnow() + timedelta(days=30),
            signed_by=talent.name,
            rate="100",
            unit=unit,
            production_code=PRODUCTION,
        )
        return grant_consent(self.studio, talent, terms, "test")


def _cast(tmp_path, faces, analyzer, monkeypatch, enrolled: int) -> Cast:
    from greenlight.provenance import init_keys
    from greenlight.runtime.signing import keys_folder

    monkeypatch.delenv("GREENLIGHT_DATABASE_URL", raising=False)
    studio = Studio.create(tmp_path / "studio")
    studio.__dict__["analyzer"] = analyzer  # share the loaded face models across tests
    init_keys(keys_folder(studio))
    add_production(studio, PRODUCTION, "Nightfall", "test")
    lead = add_talent(studio, LEAD, "test")
    if enrolled >= 1:
        enrol(studio, lead, [faces / LEAD_PHOTO], "test")
    other = add_talent(studio, SECOND, "test") if enrolled >= 2 else None
    if other is not None:
        enrol(studio, other, [faces / SECOND_PHOTO], "test")
    return Cast(studio, lead, other, faces)


@pytest.fixture
def cast(tmp_path, faces, analyzer, monkeypatch) -> Cast:
    """A fresh studio (keys, production, Eileen Collins and Joe Biden enrolled as talent, no grants)."""
    return _cast(tmp_path, faces, analyzer, monkeypatch, enrolled=2)


@pytest.fixture
def bare_cast(tmp_path, faces, analyzer, monkeypatch) -> Cast:
    """The same studio with Eileen Collins on the books but nobody enrolled: every face is free."""
    return _cast(tmp_path, faces, analyzer, monkeypatch, enrolled=0)


@pytest.fixture
def take(cast_clip, tmp_path) -> Path:
    """48 frames of Eileen Collins alone, zooming in (the built clip's first shot), with its sound."""
    return cut(cast_clip.path, tmp_path / "take.mp4", start=cast_clip.lead_alone.start, frames=48)


def ledger_kinds(studio: Studio) -> list[str]:
    with studio.transaction() as tx:
        return [e.event.kind for e in tx.ledger.entries()]


def cut(source: Path, target: Path, start: int, frames: int) -> Path:
    """Frames ``start`` to ``start + frames`` of a clip, through PyAV (the audio from the start)."""
    from itertools import islice

    from greenlight.media import probe_video, read_frames, write_video

    picked = (frame for _, frame in islice(read_frames(source), start, start + frames))
    write_video(target, picked, probe_video(source).fps, audio_from=source)
    return target
