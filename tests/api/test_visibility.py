"""Who sees which jobs: a talent representative sees only jobs showing their talent, an artist only theirs."""

from __future__ import annotations

import pytest

from greenlight.domain import Decision, Job, JobInput, JobState, Production, Reason, Talent, Usage, Verdict
from greenlight.domain.access import Caller, Role
from greenlight.errors import Forbidden
from greenlight.runtime.visibility import check_download, job_for, review_queue, visible_jobs
from greenlight.store import Registry

SHA = "c" * 64


def in_review(job: Job) -> Job:
    for state in (JobState.PREFLIGHT, JobState.RUNNING, JobState.POSTFLIGHT, JobState.IN_REVIEW):
        job = job.to(state, by="executor")
    return job


@pytest.fixture
def cast(database):
    with database.session() as session:
        registry = Registry(session)
        production = registry.add(Production(code="NS", title="Night Shift"))
        dana, lee = registry.add(Talent(name="Dana Reyes")), registry.add(Talent(name="Lee Park"))
        face = Job(engine="ingest", params={}, production_id=production.id, requested_by="Ana (artist)",
                   inputs=(JobInput(sha256=SHA, name="take.mp4", media="video"),))
        young = Job(engine="deage", params={"talent_id": lee.id}, production_id=production.id,
                    requested_by="Bo (artist)", inputs=(JobInput(sha256=SHA, name="take.mp4", media="video"),))
        metered = Job(engine="previz", params={}, production_id=production.id, requested_by="Bo (artist)",
                      inputs=(), usage=(Usage(grant_id="grant_x", talent_id=lee.id, unit="flat", quantity=1),))
        nobody = Job(engine="collapse", params={}, production_id=production.id, requested_by="Ana (artist)",
                     inputs=())
        for job in (face, young, metered, nobody):
            registry.add(in_review(job))
        seen = Reason(Verdict.ALLOW, "consent.granted", "Dana Reyes under a grant", dana.id)
        registry.add(Decision.from_reasons((seen,), production_id=production.id, use="ingest", subject=face.id))
    return database, dana, lee, (face, young, metered, nobody)


def rep(talent) -> Caller:
    return Caller(token_id="tok_1", holder="Sam", role=Role.TALENT_REP, talent_id=talent.id)


def test_each_talent_rep_sees_only_jobs_showing_their_talent(cast):
    database, dana, lee, (face, young, metered, nobody) = cast
    with database.session() as session:
        registry = Registry(session)
        assert [j.id for j in visible_jobs(registry, rep(dana))] == [face.id]
        assert [j.id for j in review_queue(registry, rep(lee))] == [young.id, metered.id]
        for other in (young, metered, nobody):
            with pytest.raises(Forbidden):
                job_for(registry, rep(dana), other.id)


def test_an_artist_sees_their_own_jobs_and_a_reviewer_sees_all(cast):
    database, _, _, (face, young, metered, nobody) = cast
    ana = Caller(token_id="tok_2", holder="Ana", role=Role.ARTIST)
    reviewer = Caller(token_id="tok_3", holder="Rui", role=Role.REVIEWER)
    with database.session() as session:
        registry = Registry(session)
        assert [j.id for j in visible_jobs(registry, ana)] == [face.id, nobody.id]
        assert len(visible_jobs(registry, reviewer)) == 4


def test_drafts_cannot_be_downloaded_by_anyone(cast):
    database, dana, _, (face, *_) = cast
    admin = Caller(token_id="tok_4", holder="Root", role=Role.ADMIN)
    with database.session() as session:
        registry = Registry(session)
        for who in (admin, rep(dana)):
            with pytest.raises(Forbidden, match="only approved"):
                check_download(registry, who, face)
        with pytest.raises(Forbidden, match="may not download"):
            check_download(registry, Caller(token_id="t", holder="Rui", role=Role.REVIEWER), face)
