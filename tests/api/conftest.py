"""A studio served in-process: keys, a production, two enrolled talents with grants, a token for every role,
and jobs that really ran (ingest of stills: the cheapest engine that goes through every guard).

Built once for the session, through the runtime API as a studio's own set-up would be. Tests that change
things make their own jobs (``World.ingest``) so the shared ones stay as described here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from greenlight.domain import Job, RateUnit, Talent, Use, utcnow
from greenlight.domain.access import Role
from greenlight.runtime.studio import Studio
from tests.conftest import copy_sample

PRODUCTION = "NIGHTFALL"
LEAD, SECOND = "Eileen Collins", "Joe Biden"
LEAD_PHOTO, SECOND_PHOTO = "eileen_collins/eileen_collins1.png", "biden/biden.jpg"
SECOND_TAKE, STRANGER = "biden/biden2.jpg", "obama/obama.jpg"
HOLDERS = {"admin": ("Root Admin", Role.ADMIN), "producer": ("Pat Producer", Role.PRODUCER),
           "artist": ("Ana Artist", Role.ARTIST), "reviewer": ("Rui Reviewer", Role.REVIEWER),
           "legal": ("Lee Legal", Role.LEGAL), "rep": ("Sam Rep", Role.TALENT_REP),
           "other_rep": ("Olu Rep", Role.TALENT_REP)}


@dataclass
class World:
    studio: Studio
    faces: Path
    lead: Talent
    second: Talent
    secrets: dict[str, str] = field(default_factory=dict)
    jobs: dict[str, str] = field(default_factory=dict)
    grants: dict[str, str] = field(default_factory=dict)
    takes: int = 0

    def auth(self, who: str) -> dict[str, str]:
        """The Authorization header of the token made for ``who`` (a key of HOLDERS)."""
        return {"Authorization": f"Bearer {self.secrets[who]}"}

    def actor(self, who: str) -> str:
        name, role = HOLDERS[who]
        return f"{name} ({role.value})"

    def take(self, photo: str) -> Path:
        """A copy of a sample photo under a neutral name (a file name naming a person is screened like text)."""
        self.takes += 1
        target = self.studio.home.parent / f"take_{self.takes:02d}{Path(photo).suffix}"
        return copy_sample(photo, target, self.faces)

    def submit_queued(self, who: str = "artist") -> str:
        """A job submitted and left queued (nothing in the studio runs it unless a test starts an executor)."""
        from greenlight.runtime.jobs import submit

        job = submit(self.studio, "ingest", {"tool": "Runway Gen-4"}, [self.take(LEAD_PHOTO)], PRODUCTION,
                     self.actor(who))
        return job.id

    def ingest(self, photo: str, who: str = "artist", approve: bool = False) -> Job:
        """A job that really ran: ``photo`` ingested for the production, in review (or approved)."""
        from greenlight.runtime.executor import LocalExecutor
        from greenlight.runtime.jobs import review, submit

        job = submit(self.studio, "ingest", {"tool": "Runway Gen-4", "use": Use.INDEPENDENT_REPLICA.value},
                     [self.take(photo)], PRODUCTION, self.actor(who))
        job = LocalExecutor(self.studio).run(job.id)
        if approve and job.state.value != "in_review":
            raise AssertionError(f"{photo}: {job.state.value}: {job.history[-1].note}")
        if approve:
            job = review(self.studio, job.id, True, self.actor("reviewer"), "looks right")
        return job

    def ledger_length(self) -> int:
        with self.studio.transaction() as tx:
            return sum(1 for _ in tx.ledger.entries())


@pytest.fixture(scope="session")
def world(tmp_path_factory, faces, analyzer) -> World:
    from greenlight.provenance import init_keys
    from greenlight.runtime.access import issue
    from greenlight.runtime.consent import GrantTerms, grant_consent
    from greenlight.runtime.registry import add_production, add_talent, enrol
    from greenlight.runtime.signing import keys_folder

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GREENLIGHT_DATABASE_URL", raising=False)
        studio = Studio.create(tmp_path_factory.mktemp("service") / "studio")
    studio.__dict__["analyzer"] = analyzer
    init_keys(keys_folder(studio))
    add_production(studio, PRODUCTION, "Nightfall", "setup")
    lead, second = add_talent(studio, LEAD, "setup"), add_talent(studio, SECOND, "setup")
    world = World(studio, faces, lead, second)
    for talent, photo in ((lead, LEAD_PHOTO), (second, SECOND_PHOTO)):
        enrol(studio, talent, [faces / photo], "setup")
        described = f"A stand-in still of {talent.name} for the rehearsal-room flashback of episode two, streaming"
        terms = GrantTerms(use=Use.INDEPENDENT_REPLICA, description=described, valid_from=utcnow() - timedelta(days=1),
                           valid_until=utcnow() + timedelta(days=30), signed_by=talent.name, rate="50",
                           unit=RateUnit.PER_IMAGE, production_code=PRODUCTION)
        world.grants[talent.name] = grant_consent(studio, talent, terms, "setup").id
    for who, (holder, role) in HOLDERS.items():
        talent = {"rep": LEAD, "other_rep": SECOND}.get(who)
        world.secrets[who] = issue(studio, holder, role, "setup", talent=talent)[1]
    world.jobs["lead"] = world.ingest(LEAD_PHOTO, "artist").id
    world.jobs["lead_approved"] = world.ingest(LEAD_PHOTO, "artist", approve=True).id
    world.jobs["second"] = world.ingest(SECOND_TAKE, "producer").id
    world.jobs["second_approved"] = world.ingest(SECOND_TAKE, "producer", approve=True).id
    world.jobs["stranger"] = world.ingest(STRANGER, "producer").id
    return world


@pytest.fixture(scope="session")
def client(world):
    from fastapi.testclient import TestClient

    from greenlight.api.app import create_app

    with TestClient(create_app(world.studio.home)) as client:
        yield client
