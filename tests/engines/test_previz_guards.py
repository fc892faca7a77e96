"""The guards around previz: the brief is screened before any model loads, every frame is scanned after.

A brief that names enrolled talent needs a previsualisation grant for this production; one that names a
protected person is blocked, and one that names a protected work escalated, with the model never opened.
"""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from greenlight.domain import JobState, RateUnit, Use, utcnow
from greenlight.runtime.consent import GrantTerms, grant_consent
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import submit
from greenlight.runtime.registry import add_talent, protect_person, protect_work
from tests.engines.previz_kit import PRODUCTION, previz_params


@pytest.fixture
def opened(monkeypatch) -> list:
    """Every time the previz engine opens a model folder (the real loader still runs)."""
    from greenlight.engines.previz import pipeline

    calls: list = []
    real = pipeline.load_pipeline

    def load(folder, *args, **kwargs):
        calls.append(str(folder))
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(pipeline, "load_pipeline", load)
    return calls


def grant(studio, talent, use: Use, production: str | None = PRODUCTION):
    terms = GrantTerms(use=use, description=f"{use.value} of {talent.name} in concept frames of the bunker set, "
                       "pre-production only", valid_from=utcnow() - timedelta(days=1),
                       valid_until=utcnow() + timedelta(days=30), signed_by=talent.name, rate="50",
                       unit=RateUnit.FLAT, production_code=production)
    return grant_consent(studio, talent, terms, "test")


def run(studio, brief: str, progress=None):
    job = submit(studio, "previz", previz_params(studio.model, brief, n=1), [], PRODUCTION, "artist")
    return LocalExecutor(studio).run(job.id, progress)


@pytest.mark.parametrize("name, verdict", [("person", JobState.BLOCKED), ("work", JobState.ESCALATED)])
def test_a_protected_name_in_the_brief_stops_the_job_before_the_model_is_opened(previz_studio, opened, name, verdict):
    studio = previz_studio
    protect_person(studio, "Barack Obama", "legal")
    protect_work(studio, "Star Wars", "legal", characters=["Darth Vader"])
    brief = {"person": "Barack Obama walking the bunker corridor", "work": "Darth Vader's helmet on a shelf"}[name]
    job = submit(studio, "previz", previz_params(studio.model, brief, n=1), [], PRODUCTION, "artist")
    shutil.rmtree(studio.model_dir)  # had the engine run, the job would fail on the missing folder instead
    job = LocalExecutor(studio).run(job.id)
    assert job.state is verdict, job.history[-1].note
    assert opened == []
    assert job.outputs == ()


def test_a_brief_naming_talent_needs_a_previs_grant_for_this_production(previz_studio, opened):
    studio = previz_studio
    maya = add_talent(studio, "Maya Okafor", "casting")
    brief = "Maya Okafor in a long wool coat, standing in the bunker corridor"
    assert run(studio, brief).state is JobState.BLOCKED
    grant(studio, maya, Use.DIGITAL_ALTERATION)  # consent to another use covers nothing here
    assert run(studio, brief).state is JobState.BLOCKED
    previs = grant(studio, maya, Use.PREVIS)
    assert opened == []
    job = run(studio, brief)
    assert job.state is JobState.IN_REVIEW, job.history[-1].note
    assert previs.id in job.grant_ids
    assert len(opened) == 1


def test_a_previs_grant_for_another_production_does_not_cover_this_one(previz_studio, opened):
    from greenlight.runtime.registry import add_production

    studio = previz_studio
    add_production(studio, "DAYBREAK", "Daybreak", "test")
    maya = add_talent(studio, "Maya Okafor", "casting")
    grant(studio, maya, Use.PREVIS, production="DAYBREAK")
    assert run(studio, "a costume test for Maya Okafor").state is JobState.BLOCKED
    assert opened == []


def test_every_generated_frame_is_scanned_for_faces_after_generation(previz_studio):
    scanned = []
    job = run(previz_studio, "an empty bunker corridor",
              lambda f, m: scanned.append(m) if m.startswith("postflight: faces") else None)
    assert job.state is JobState.IN_REVIEW
    # One variation and its contact sheet, each scanned, after the engine ran.
    assert scanned.count("postflight: faces in the output, frame 1/1") == 2
    with previz_studio.transaction() as tx:
        stages = [e.event.payload.get("stage") for e in tx.ledger.entries() if e.event.kind == "decision.made"]
    assert stages == ["preflight", "postflight", "publish"]
