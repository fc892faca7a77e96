"""A mood board through the whole job life cycle: brief screened, board made, scanned, signed, in review.

What must hold: the signed board's Content Credentials list every reference on it as an ingredient (its
file name and SHA-256) and none of those left out; its digital source type is ``composite``; the job's
history and the CLI say which references were excluded and why; a brief naming a protected person is
blocked before the engine runs; a board showing a protected person's face, or printing their name in a
caption, is blocked and quarantined; a two-row board keeps a watermark that traces it.
"""

from __future__ import annotations

import pytest
from skimage import data

from greenlight.domain import JobState
from greenlight.engines.previz.library import Licence, read_library
from greenlight.media import file_sha256, save_image
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import submit
from tests.engines.test_moodboard import BRIEF, STOCK, make_library

PRODUCTION = "BUNKER"


@pytest.fixture
def studio(tmp_path, analyzer, monkeypatch):
    from greenlight.provenance import init_keys
    from greenlight.runtime.registry import add_production
    from greenlight.runtime.signing import keys_folder
    from greenlight.runtime.studio import Studio

    monkeypatch.delenv("GREENLIGHT_DATABASE_URL", raising=False)
    home = Studio.create(tmp_path / "studio")
    home.__dict__["analyzer"] = analyzer  # share the loaded face models across tests
    init_keys(keys_folder(home))
    add_production(home, PRODUCTION, "The Bunker", "test")
    return home


def board_job(studio, library, brief: str = BRIEF):
    job = submit(studio, "moodboard", {"brief": brief, "library": str(library), "n": 6}, [], PRODUCTION, "designer")
    return LocalExecutor(studio).run(job.id)


def signed_outputs(studio, job):
    with studio.transaction() as tx:
        return [studio.home / a.path for a in tx.registry.job_assets(job.id)]


def test_the_signed_board_lists_each_reference_used_and_none_left_out(studio, tmp_path):
    from greenlight.provenance import read_manifest
    from greenlight.runtime.signing import trust_root

    library = make_library(tmp_path / "library")
    job = board_job(studio, library)
    assert job.state is JobState.IN_REVIEW, job.history[-1].note
    note = job.history[-1].note
    assert "excluded rocket.png (licence from Space Archive expired on 2020-01-01)" in note
    assert "astronaut.png (licence from Agency Photo allows marketing, not previs)" in note
    [board] = signed_outputs(studio, job)
    report = read_manifest(board, trust_root(studio))
    assert report.trusted and report.do_not_train
    assert report.actions[-1].digital_source_type.endswith("/digitalsourcetype/composite")
    titles = {i.title for i in report.ingredients}
    refs = {r.name: r for r in read_library(library)}
    used = {"coffee.png", "brick.png"}
    assert titles == {f"{name} sha256:{file_sha256(refs[name].image)}" for name in used}
    assert {i.relationship for i in report.ingredients} == {"componentOf"}
    assert not any(t.startswith(("rocket.png", "astronaut.png")) for t in titles)


def test_a_brief_naming_a_protected_person_is_blocked_before_the_engine_runs(studio, tmp_path):
    from greenlight.runtime.registry import protect_person

    protect_person(studio, "Eileen Collins", "test")
    library = make_library(tmp_path / "library")
    job = submit(studio, "moodboard", {"brief": "Eileen Collins at the launch pad, dawn", "library": str(library)},
                 [], PRODUCTION, "designer")
    (library / "coffee.png").unlink()  # had the engine run, the job would fail on the broken library
    job = LocalExecutor(studio).run(job.id)
    assert job.state is JobState.BLOCKED, job.history[-1].note
    assert [s.state for s in job.history][-2:] == [JobState.PREFLIGHT, JobState.BLOCKED]
    assert signed_outputs(studio, job) == []


def test_a_board_showing_a_protected_face_is_blocked_and_quarantined(studio, tmp_path):
    import numpy as np

    from greenlight.runtime.registry import protect_person

    mirrored = save_image(tmp_path / "collins.png", np.ascontiguousarray(data.astronaut()[:, ::-1]))
    protect_person(studio, "Eileen Collins", "test", photos=[mirrored])
    library = make_library(tmp_path / "library", astronaut=STOCK)  # licensed for previs this time
    job = board_job(studio, library, "an astronaut portrait before the launch")
    assert job.state is JobState.BLOCKED, job.history[-1].note
    assert [s.state for s in job.history][-2:] == [JobState.POSTFLIGHT, JobState.BLOCKED]  # made, then caught
    assert "Eileen Collins" in job.history[-1].note
    with studio.transaction() as tx:
        assert [a.role for a in tx.registry.job_assets(job.id)] == ["quarantined"]


def test_a_library_broken_after_submission_fails_the_job_naming_the_file(studio, tmp_path):
    library = make_library(tmp_path / "library")
    job = submit(studio, "moodboard", {"brief": BRIEF, "library": str(library)}, [], PRODUCTION, "designer")
    (library / "brick.json").write_text("{")
    job = LocalExecutor(studio).run(job.id)
    assert job.state is JobState.FAILED and "brick.json: unreadable reference sidecar" in job.history[-1].note


def test_licences_expire_at_the_day_the_board_is_made(studio, tmp_path):
    library = make_library(tmp_path / "library")
    lapsed = Licence("Stock House Ltd", ("previs",), date_before_today())
    from greenlight.engines.previz.library import add_reference

    add_reference(library, library / "coffee.png", "a cup of coffee on a saucer, warm morning light",
                  ["coffee", "cafe", "warm"], lapsed)
    job = board_job(studio, library)
    assert job.state is JobState.IN_REVIEW
    assert f"coffee.png (licence from Stock House Ltd expired on {lapsed.valid_until})" in job.history[-1].note


def date_before_today():
    from datetime import timedelta

    from greenlight.domain import utcnow

    return utcnow().date() - timedelta(days=1)


def test_a_two_row_board_carries_a_watermark_that_traces_it(studio, tmp_path):
    from greenlight.runtime.verification import verify_file

    library = make_library(tmp_path / "library")
    job = board_job(studio, library, "coffee cafe, a cat, a brick wall and a colour wheel")
    assert job.state is JobState.IN_REVIEW and "mood board of 4 licensed references" in job.history[-1].note
    [board] = signed_outputs(studio, job)
    verified = verify_file(studio, board)
    assert verified.verified and verified.mark_state == "traced", (verified.mark_state, verified.reason)
    assert verified.asset is not None and verified.asset.job_id == job.id


def test_a_caption_naming_a_protected_person_blocks_the_board(studio, tmp_path):
    from greenlight.engines.previz.library import add_reference
    from greenlight.runtime.registry import protect_person

    protect_person(studio, "Eileen Collins", "test")
    library = make_library(tmp_path / "library")
    add_reference(library, library / "coffee.png", "Eileen Collins's coffee on launch morning", ["coffee", "cafe"],
                  STOCK)  # no face in it: only the caption the board would print names her
    job = board_job(studio, library)
    assert job.state is JobState.BLOCKED, job.history[-1].note
    assert [s.state for s in job.history][-2:] == [JobState.POSTFLIGHT, JobState.BLOCKED]
    assert "Eileen Collins" in job.history[-1].note


def test_a_board_showing_enrolled_talent_needs_their_previs_consent(studio, tmp_path):
    from datetime import timedelta

    import numpy as np

    from greenlight.domain import RateUnit, Use, utcnow
    from greenlight.runtime.consent import GrantTerms, grant_consent
    from greenlight.runtime.registry import add_talent, enrol

    mirrored = save_image(tmp_path / "dana.png", np.ascontiguousarray(data.astronaut()[:, ::-1]))
    dana = add_talent(studio, "Dana Reyes", "test")
    enrol(studio, dana, [mirrored], "test")
    library = make_library(tmp_path / "library", astronaut=STOCK)
    brief = "an astronaut portrait before the launch"
    assert board_job(studio, library, brief).state is JobState.BLOCKED  # no grant yet
    terms = GrantTerms(use=Use.PREVIS, description="Reference photos of Dana Reyes on previs mood boards for the "
                       "launch sequence, internal only", valid_from=utcnow() - timedelta(days=1),
                       valid_until=utcnow() + timedelta(days=30), signed_by="Dana Reyes", rate="50",
                       unit=RateUnit.PER_IMAGE, production_code=PRODUCTION)
    grant = grant_consent(studio, dana, terms, "test")
    job = board_job(studio, library, brief)
    assert job.state is JobState.IN_REVIEW, job.history[-1].note
    assert grant.id in job.grant_ids and [(u.talent_id, u.quantity) for u in job.usage] == [(dana.id, 1.0)]
