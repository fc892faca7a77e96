"""A grant whose unit cannot meter what a job makes is refused when the job is submitted, not at payday.

A per-second grant relied on by a job that makes a still would meter 0 seconds (the talent is owed
nothing for an approved use); a per-image grant on a video would count a whole clip as one image.
Both are refused at submit with one line naming the grant, its unit and what the job makes, and
nothing is stored: no job, no input asset, no ledger entry. A flat fee meters anything.
"""

from __future__ import annotations

from itertools import repeat
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from greenlight.domain import Job, JobState, RateUnit, Use
from greenlight.errors import UnitMismatch
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import submit
from tests.runtime.conftest import PRODUCTION


def still_clip(photo: Path, target: Path, frames: int = 12, fps: int = 24) -> Path:
    """A clip of ``frames`` identical frames of ``photo`` (a video of the still, cropped to an even size)."""
    from greenlight.media import load_image, write_video

    rgb = load_image(photo)
    rgb = np.ascontiguousarray(rgb[: rgb.shape[0] // 2 * 2, : rgb.shape[1] // 2 * 2])
    return write_video(target, repeat(rgb, frames), fps)


def stored(cast) -> dict[str, int]:
    """How many rows the job, asset and ledger tables hold, and how many files the asset store has."""
    from greenlight.store.tables import assets, jobs, ledger_entries

    with cast.studio.database.session() as session:
        counts = {t.name: session.scalar(select(func.count()).select_from(t)) for t in (jobs, assets, ledger_entries)}
    counts["files"] = sum(1 for p in (cast.studio.home / "assets").rglob("*") if p.is_file())
    return counts


def deage(cast, media: Path) -> Job:
    return submit(cast.studio, "deage", {"talent_id": cast.lead.id, "years": 15}, [media], PRODUCTION, "editor")


def refused(cast, media: Path, *needles: str) -> None:
    before = stored(cast)
    with pytest.raises(UnitMismatch) as raised:
        deage(cast, media)
    message = raised.value.one_line()
    assert "\n" not in message
    for needle in needles:
        assert needle in message, (needle, message)
    assert stored(cast) == before  # nothing written: no job row, no input asset, no ledger entry


def test_a_per_second_grant_is_refused_for_a_job_that_makes_a_still(cast):
    grant = cast.grant(cast.lead, Use.DIGITAL_ALTERATION, RateUnit.PER_SECOND)
    refused(cast, cast.lead_photo, grant.id, "per-approved-second", "image", "eileen_collins1.png")


def test_a_per_image_grant_is_refused_for_a_job_that_makes_a_video(cast, tmp_path):
    grant = cast.grant(cast.lead, Use.DIGITAL_ALTERATION, RateUnit.PER_IMAGE)
    clip = still_clip(cast.lead_photo, tmp_path / "take_12.mp4")
    refused(cast, clip, grant.id, "per-approved-image", "video", "take_12.mp4")


def test_a_mixed_job_is_refused_when_one_of_its_inputs_cannot_be_metered(cast, tmp_path):
    # a clip and a still in one job: the per-second grant meters the clip, never the still
    grant = cast.grant(cast.lead, Use.DIGITAL_ALTERATION, RateUnit.PER_SECOND)
    clip = still_clip(cast.lead_photo, tmp_path / "take_12.mp4")
    before = stored(cast)
    with pytest.raises(UnitMismatch, match=grant.id):
        submit(cast.studio, "deage", {"talent_id": cast.lead.id, "years": 15}, [clip, cast.lead_photo],
               PRODUCTION, "editor")
    assert stored(cast) == before


def test_the_grant_the_guard_would_pick_is_the_one_checked(cast, tmp_path):
    # a per-image grant for another use does not make a per-second grant for this one acceptable on a still
    cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.PER_IMAGE)
    grant = cast.grant(cast.lead, Use.DIGITAL_ALTERATION, RateUnit.PER_SECOND)
    refused(cast, cast.lead_photo, grant.id)


def test_a_talent_named_in_a_file_name_is_checked_too(cast, tmp_path):
    # no talent_id: the ingested file's name names her, so preflight will rely on her grant
    grant = cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.PER_SECOND)
    photo = tmp_path / "eileen_collins_final.png"
    photo.write_bytes(cast.lead_photo.read_bytes())
    before = stored(cast)
    with pytest.raises(UnitMismatch, match=grant.id):
        submit(cast.studio, "ingest", {"tool": "HostedModel 3"}, [photo], PRODUCTION, "artist")
    assert stored(cast) == before


@pytest.mark.parametrize("unit", [RateUnit.FLAT, RateUnit.PER_IMAGE], ids=["flat", "per-image"])
def test_a_still_is_queued_under_a_grant_that_meters_it(cast, unit):
    grant = cast.grant(cast.lead, Use.DIGITAL_ALTERATION, unit)
    job = deage(cast, cast.lead_photo)
    assert job.state is JobState.QUEUED and grant.talent_id == cast.lead.id


@pytest.mark.parametrize("unit", [RateUnit.FLAT, RateUnit.PER_SECOND], ids=["flat", "per-second"])
def test_a_clip_is_queued_under_a_grant_that_meters_it(cast, unit, tmp_path):
    cast.grant(cast.lead, Use.DIGITAL_ALTERATION, unit)
    job = deage(cast, still_clip(cast.lead_photo, tmp_path / "take_12.mp4"))
    assert job.state is JobState.QUEUED


def test_without_any_grant_the_job_is_queued_and_the_guard_blocks_it_later(cast):
    # no grant, nothing to meter: consent is the preflight guard's business, not submit's
    job = deage(cast, cast.lead_photo)
    assert job.state is JobState.QUEUED


def test_what_an_engine_makes_is_declared_or_follows_its_inputs():
    from greenlight.domain import JobInput
    from greenlight.engines.base import load_engine
    from greenlight.runtime.jobs import makes

    still = Job("deage", {}, (JobInput("0" * 64, "a.png", "image"),), "prd", "x")
    clip = Job("ingest", {}, (JobInput("1" * 64, "a.mp4", "video"),), "prd", "x")
    assert makes(still, load_engine("deage").info) == ("image",)
    assert makes(clip, load_engine("ingest").info) == ("video",)
    assert makes(Job("moodboard", {}, (), "prd", "x"), load_engine("moodboard").info) == ("image",)
    assert set(makes(Job("collapse", {}, (), "prd", "x"), load_engine("collapse").info)) == {"video", "image"}


def test_of_two_covering_grants_the_one_that_meters_the_output_is_relied_on(cast, tmp_path):
    # her contract pays seconds for clips and a fee per image for stills: each job relies on the fitting one
    per_second = cast.grant(cast.lead, Use.DIGITAL_ALTERATION, RateUnit.PER_SECOND)
    per_image = cast.grant(cast.lead, Use.DIGITAL_ALTERATION, RateUnit.PER_IMAGE)

    still = LocalExecutor(cast.studio).run(deage(cast, cast.lead_photo).id)
    assert still.state is JobState.IN_REVIEW, still.history[-1].note
    assert still.grant_ids == (per_image.id,) and [u.grant_id for u in still.usage] == [per_image.id]
    from greenlight.engines.base import load_engine
    from greenlight.runtime.jobs import relied_grants

    clip = deage(cast, still_clip(cast.lead_photo, tmp_path / "take_12.mp4"))
    with cast.studio.transaction() as tx:
        assert [g.id for g in relied_grants(tx, clip, load_engine("deage").info)] == [per_second.id]
