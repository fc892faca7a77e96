"""The talent's veto: a draft that shows a talent can be vetoed for them, and a vetoed draft is never approved.

And what a talent may see: exactly the jobs that show them, nothing of another talent's.
"""

from __future__ import annotations

import pytest

from greenlight.domain import Job, JobState, RateUnit, Use
from greenlight.errors import InvalidInput, InvalidTransition, NotFound, Vetoed
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import review, submit, veto
from greenlight.runtime.talentview import jobs_showing, shows_talent
from tests.conftest import copy_sample
from tests.runtime.conftest import PRODUCTION, ledger_kinds

NOTE = "not the performance I agreed to; the eyes look wrong"


def ingest(cast, photo, name: str, run: bool = True) -> Job:
    # a neutral file name: the face, not the name, says who is in it
    plate = cast.studio.home.parent / name
    plate.write_bytes(photo.read_bytes())
    job = submit(cast.studio, "ingest", {"tool": "HostedModel 3"}, [plate], PRODUCTION, "artist")
    return LocalExecutor(cast.studio).run(job.id) if run else job


@pytest.fixture
def drafts(cast):
    """A draft of Eileen Collins and one of Joe Biden, both in review under per-image grants."""
    cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.PER_IMAGE)
    cast.grant(cast.second, Use.INDEPENDENT_REPLICA, RateUnit.PER_IMAGE)
    hers = ingest(cast, cast.lead_photo, "plate_01.png")
    his = ingest(cast, copy_sample("biden/biden2.jpg", cast.studio.home.parent / "biden2.jpg", cast.faces),
                 "plate_02.jpg")
    assert hers.state is his.state is JobState.IN_REVIEW, (hers.history[-1].note, his.history[-1].note)
    return hers, his


def replay_problems(cast) -> list[str]:
    from greenlight.domain import to_plain
    from greenlight.ledger import Ledger
    from greenlight.ledger.replay import Replay

    replay = Replay()
    with cast.studio.database.session() as session:
        for entry in Ledger(session).entries():
            replay.feed(entry.seq, to_plain(entry.event))
        return replay.problems(session)


def stored(cast, job: Job) -> Job:
    with cast.studio.transaction() as tx:
        return tx.registry.get(Job, job.id)


def test_each_talent_sees_only_the_jobs_that_show_them(cast, drafts):
    hers, his = drafts
    nobody = ingest(cast, cast.faces / "obama" / "obama.jpg", "plate_03.jpg", run=False)  # not enrolled
    with cast.studio.transaction() as tx:
        assert [j.id for j in jobs_showing(tx.registry, cast.lead.id)] == [hers.id]
        assert [j.id for j in jobs_showing(tx.registry, cast.second.id)] == [his.id]
        assert shows_talent(tx.registry, hers, cast.lead.id) and not shows_talent(tx.registry, hers, cast.second.id)
        assert not shows_talent(tx.registry, nobody, cast.lead.id)


def test_a_blocked_draft_still_shows_the_talent_it_was_blocked_for(cast):
    # no grant: the draft is blocked, and the talent must still see it (it showed them)
    job = ingest(cast, cast.faces / "biden" / "biden.jpg", "plate_04.jpg")
    assert job.state is JobState.BLOCKED
    with cast.studio.transaction() as tx:
        assert [j.id for j in jobs_showing(tx.registry, cast.second.id)] == [job.id]
        assert jobs_showing(tx.registry, cast.lead.id) == []


def test_a_vetoed_draft_cannot_be_approved_and_says_who_vetoed(cast, drafts):
    hers, _ = drafts
    vetoed = veto(cast.studio, hers.id, cast.lead.id, "agent-for-collins", NOTE)
    assert [(v.talent_id, v.by, v.note) for v in vetoed.vetoes] == [(cast.lead.id, "agent-for-collins", NOTE)]
    with pytest.raises(Vetoed) as raised:
        review(cast.studio, hers.id, True, "supervisor", "looks right")
    assert "agent-for-collins" in str(raised.value) and "Eileen Collins" in str(raised.value)
    assert "approval is blocked" in str(raised.value)
    assert stored(cast, hers).state is JobState.IN_REVIEW
    assert "usage.metered" not in ledger_kinds(cast.studio)
    assert review(cast.studio, hers.id, False, "supervisor", "vetoed by the talent").state is JobState.REJECTED


def test_a_veto_is_in_the_ledger_and_the_ledger_still_replays(cast, drafts):
    hers, _ = drafts
    veto(cast.studio, hers.id, "Eileen Collins", "agent-for-collins", NOTE)  # by name, as the CLI gives it
    assert ledger_kinds(cast.studio).count("job.vetoed") == 1
    assert stored(cast, hers).vetoes[0].talent_id == cast.lead.id
    assert replay_problems(cast) == []


def test_a_talent_cannot_veto_a_draft_that_does_not_show_them(cast, drafts):
    _, his = drafts
    before = ledger_kinds(cast.studio)
    with pytest.raises(NotFound, match="does not show Eileen Collins"):
        veto(cast.studio, his.id, cast.lead.id, "agent-for-collins", NOTE)
    assert stored(cast, his).vetoes == () and ledger_kinds(cast.studio) == before
    assert review(cast.studio, his.id, True, "supervisor", "looks right").state is JobState.APPROVED


def test_a_final_job_cannot_be_vetoed(cast, drafts):
    hers, _ = drafts
    review(cast.studio, hers.id, True, "supervisor", "looks right")
    before = ledger_kinds(cast.studio)
    with pytest.raises(InvalidTransition, match="approved"):
        veto(cast.studio, hers.id, cast.lead.id, "agent-for-collins", NOTE)
    assert stored(cast, hers).vetoes == () and ledger_kinds(cast.studio) == before


@pytest.mark.parametrize("note", ["", "   "], ids=["empty", "blank"])
def test_a_veto_needs_a_note(cast, drafts, note):
    hers, _ = drafts
    with pytest.raises(InvalidInput, match="note"):
        veto(cast.studio, hers.id, cast.lead.id, "agent-for-collins", note)
    assert stored(cast, hers).vetoes == ()


def test_the_same_talent_vetoes_once(cast, drafts):
    hers, _ = drafts
    veto(cast.studio, hers.id, cast.lead.id, "agent-for-collins", NOTE)
    with pytest.raises(InvalidTransition, match="already vetoed"):
        veto(cast.studio, hers.id, cast.lead.id, "agent-for-collins", NOTE)
    assert len(stored(cast, hers).vetoes) == 1


def test_a_veto_recorded_while_the_job_runs_survives_to_review(cast):
    # the executor holds its own copy of the job while the engine runs; the veto must not be lost with it
    cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.PER_IMAGE)
    landed: list[Job] = []

    def progress(fraction: float, message: str) -> None:
        # her name in the file name: preflight relied on her grant, so the running job shows her
        if not landed and message.startswith("postflight"):
            landed.append(veto(cast.studio, job.id, cast.lead.id, "agent-for-collins", NOTE))

    job = ingest(cast, cast.lead_photo, "eileen_collins_take.png", run=False)
    done = LocalExecutor(cast.studio).run(job.id, progress)
    assert landed and landed[0].state is JobState.POSTFLIGHT
    assert done.state is JobState.IN_REVIEW, done.history[-1].note
    assert [v.talent_id for v in stored(cast, job).vetoes] == [cast.lead.id]
    with pytest.raises(Vetoed):
        review(cast.studio, job.id, True, "supervisor", "looks right")
    assert replay_problems(cast) == []
