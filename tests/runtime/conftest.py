"""A studio with signing keys, one production and enrolled talent, built through the runtime API."""

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


@dataclass
class Cast:
    studio: Studio
    lin: Talent
    alex: Talent
    faces: Path

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


@pytest.fixture
def cast(tmp_path, faces, analyzer, monkeypatch) -> Cast:
    """A fresh studio (keys, production, Lin-Manuel Miranda and Alex Lacamoire enrolled, no grants)."""
    from greenlight.provenance import init_keys
    from greenlight.runtime.signing import keys_folder

    monkeypatch.delenv("GREENLIGHT_DATABASE_URL", raising=False)
    studio = Studio.create(tmp_path / "studio")
    studio.__dict__["analyzer"] = analyzer  # share the loaded face models across tests
    init_keys(keys_folder(studio))
    add_production(studio, PRODUCTION, "Nightfall", "test")
    lin = add_talent(studio, "Lin-Manuel Miranda", "test")
    alex = add_talent(studio, "Alex Lacamoire", "test")
    enrol(studio, lin, [faces / "lin_manuel_miranda" / "lin_manuel_miranda1.png"], "test")
    enrol(studio, alex, [faces / "alex_lacamoire" / "alex_lacamoire1.jpg"], "test")
    return Cast(studio, lin, alex, faces)


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
