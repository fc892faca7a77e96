"""Usage and compensation: two talents on different rates and units, checked against sums done by hand.

The books (one studio, built once for the module, every job a real ingest through the guards):

=========  =========  ============================  ==========================================
talent     production grant                          approved use
=========  =========  ============================  ==========================================
Collins    NIGHTFALL  250.00 USD per second          2 s + 1.5 s (a third clip rejected)
Biden      NIGHTFALL  1200.00 EUR per image          2 images
Biden      DAYBREAK   5000.00 USD flat               2 uses, one fee
Collins    DAYBREAK   400.00 USD per second          1.25 s approved, then blocked at export
=========  =========  ============================  ==========================================

By hand: Collins 3.5 s × 250.00 = 875.00 USD (the blocked 1.25 s × 400.00 = 500.00 USD is not owed);
Biden 2 × 1200.00 = 2400.00 EUR, and 5000.00 USD once — two currencies, never added together.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import repeat
from pathlib import Path

import numpy as np
import pytest

from greenlight.domain import ConsentGrant, GrantState, Job, JobState, Production, RateUnit, Talent, Use, utcnow
from greenlight.errors import Blocked, NotFound
from greenlight.runtime.studio import Studio
from tests.conftest import copy_sample

COLLINS, BIDEN = "Eileen Collins", "Joe Biden"


@dataclass
class Books:
    studio: Studio
    collins: Talent
    biden: Talent
    nightfall: Production
    daybreak: Production
    grants: dict[str, ConsentGrant]
    jobs: dict[str, Job]


def still_clip(photo: Path, target: Path, frames: int, fps: int = 24) -> Path:
    """``frames`` identical frames of ``photo`` at ``fps``: her face on screen for exactly frames / fps seconds."""
    from greenlight.media import load_image, write_video

    rgb = load_image(photo)
    rgb = np.ascontiguousarray(rgb[: rgb.shape[0] // 2 * 2, : rgb.shape[1] // 2 * 2])
    return write_video(target, repeat(rgb, frames), fps)


def png_copy(photo: Path, target: Path) -> Path:
    """The same picture in other bytes (a PNG), so it is another file for the asset store."""
    from PIL import Image

    Image.open(photo).convert("RGB").save(target)
    return target


def copy(photo: Path, target: Path) -> Path:
    target.write_bytes(photo.read_bytes())
    return target


@pytest.fixture(scope="module")
def books(faces, analyzer, tmp_path_factory) -> Books:
    from greenlight.provenance import init_keys
    from greenlight.runtime.consent import GrantTerms, change_grant, grant_consent
    from greenlight.runtime.delivery import deliver
    from greenlight.runtime.executor import LocalExecutor
    from greenlight.runtime.jobs import review, submit
    from greenlight.runtime.registry import add_production, add_talent, enrol
    from greenlight.runtime.signing import keys_folder

    root = tmp_path_factory.mktemp("books")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GREENLIGHT_DATABASE_URL", raising=False)
        studio = Studio.create(root / "studio")
    studio.__dict__["analyzer"] = analyzer
    init_keys(keys_folder(studio))
    nightfall = add_production(studio, "NIGHTFALL", "Nightfall", "test")
    daybreak = add_production(studio, "DAYBREAK", "Daybreak", "test")
    collins, biden = add_talent(studio, COLLINS, "test"), add_talent(studio, BIDEN, "test")
    enrol(studio, collins, [faces / "eileen_collins" / "eileen_collins1.png"], "test")
    enrol(studio, biden, [faces / "biden" / "biden.jpg"], "test")

    def grant(person: Talent, production: str, rate: str, unit: RateUnit, currency: str) -> ConsentGrant:
        terms = GrantTerms(use=Use.INDEPENDENT_REPLICA, valid_from=utcnow() - timedelta(days=1),
                           description=f"a replica of {person.name} in the night market chase of episode four, "
                                       "streaming release",
                           valid_until=utcnow() + timedelta(days=30), signed_by=person.name, rate=rate, unit=unit,
                           currency=currency, production_code=production)
        return grant_consent(studio, person, terms, "test")

    grants = {
        "collins_night": grant(collins, "NIGHTFALL", "250.00", RateUnit.PER_SECOND, "USD"),
        "biden_night": grant(biden, "NIGHTFALL", "1200.00", RateUnit.PER_IMAGE, "EUR"),
        "biden_day": grant(biden, "DAYBREAK", "5000.00", RateUnit.FLAT, "USD"),
        "collins_day": grant(collins, "DAYBREAK", "400.00", RateUnit.PER_SECOND, "USD"),
    }
    collins_photo, media = faces / "eileen_collins" / "eileen_collins1.png", root / "media"
    media.mkdir()
    biden2 = copy_sample("biden/biden2.jpg", media / "biden2.jpg", faces)
    plates = {  # neutral names: the faces say who is in them
        "c48": ("NIGHTFALL", still_clip(collins_photo, media / "take_a.mp4", 48), True),
        "c36": ("NIGHTFALL", still_clip(collins_photo, media / "take_b.mp4", 36), True),
        "c24": ("NIGHTFALL", still_clip(collins_photo, media / "take_c.mp4", 24), False),
        "b1": ("NIGHTFALL", png_copy(biden2, media / "plate_a.png"), True),
        "b2": ("NIGHTFALL", png_copy(faces / "biden" / "biden.jpg", media / "plate_b.png"), True),
        "b3": ("DAYBREAK", copy(faces / "biden" / "biden.jpg", media / "plate_c.jpg"), True),
        "b4": ("DAYBREAK", copy(biden2, media / "plate_d.jpg"), True),
        "c30": ("DAYBREAK", still_clip(collins_photo, media / "take_d.mp4", 30), True),
    }
    jobs = {}
    for key, (production, path, approve) in plates.items():
        job = submit(studio, "ingest", {"tool": "HostedModel 3"}, [path], production, "artist")
        job = LocalExecutor(studio).run(job.id)
        assert job.state is JobState.IN_REVIEW, (key, job.history[-1].note)
        jobs[key] = review(studio, job.id, approve, "supervisor", "checked against the cut")
    change_grant(studio, grants["collins_day"].id, GrantState.REVOKED, COLLINS, "withdrawn before delivery")
    with pytest.raises(Blocked):
        deliver(studio, jobs["c30"].id, root / "out", "editor")
    deliver(studio, jobs["b3"].id, root / "out", "editor")  # exported: still counted
    with studio.transaction() as tx:
        jobs = {key: tx.registry.get(Job, job.id) for key, job in jobs.items()}
    return Books(studio, collins, biden, nightfall, daybreak, grants, jobs)


def test_the_metered_quantities_are_what_the_books_assume(books):
    # the hand sums below rest on these: every frame of each still clip shows her, 24 frames a second
    quantities = {key: [(u.grant_id, u.quantity) for u in job.usage] for key, job in books.jobs.items()}
    g = {k: v.id for k, v in books.grants.items()}
    assert quantities["c48"] == [(g["collins_night"], 2.0)]
    assert quantities["c36"] == [(g["collins_night"], 1.5)]
    assert quantities["b1"] == quantities["b2"] == [(g["biden_night"], 1.0)]
    assert quantities["b3"] == quantities["b4"] == [(g["biden_day"], 1.0)]
    assert books.jobs["c24"].state is JobState.REJECTED
    # approved, metered, then blocked at export when the grant was revoked: its usage is still on the job
    assert books.jobs["c30"].state is JobState.BLOCKED and quantities["c30"] == [(g["collins_day"], 1.25)]


def report(books, **filters):
    from greenlight.runtime.reports import usage_report

    return usage_report(books.studio, **filters)


def lines_of(rep) -> list[tuple]:
    return [(line.talent_name, line.production_code, line.unit, line.quantity, line.rate, line.currency, line.owed,
             line.jobs) for line in rep.lines]


def totals_of(rep) -> set[tuple]:
    return {(t.talent_name, t.currency, t.owed) for t in rep.totals}


def test_totals_are_the_hand_computed_sums(books):
    rep = report(books)
    assert lines_of(rep) == [
        (COLLINS, "NIGHTFALL", "per-approved-second", Decimal("3.5"), Decimal("250.00"), "USD", Decimal("875.00"), 2),
        (BIDEN, "DAYBREAK", "flat", Decimal("2"), Decimal("5000.00"), "USD", Decimal("5000.00"), 2),
        (BIDEN, "NIGHTFALL", "per-approved-image", Decimal("2"), Decimal("1200.00"), "EUR", Decimal("2400.00"), 2),
    ]
    assert totals_of(rep) == {(COLLINS, "USD", Decimal("875.00")), (BIDEN, "EUR", Decimal("2400.00")),
                              (BIDEN, "USD", Decimal("5000.00"))}


def test_rejected_and_blocked_jobs_count_nothing(books):
    rep = report(books)
    assert books.grants["collins_day"].id not in {line.grant_id for line in rep.lines}
    counted = sum(line.jobs for line in rep.lines)
    approved = [j for j in books.jobs.values() if j.state is JobState.APPROVED]
    assert counted == len(approved) == 6


@pytest.mark.parametrize("by", ["code", "id"])
def test_a_production_filter_keeps_only_that_production(books, by):
    production = books.daybreak.code if by == "code" else books.daybreak.id
    rep = report(books, production=production)
    assert [line.production_code for line in rep.lines] == ["DAYBREAK"]
    assert totals_of(rep) == {(BIDEN, "USD", Decimal("5000.00"))}


@pytest.mark.parametrize("by", ["name", "id"])
def test_a_talent_filter_keeps_only_that_talent(books, by):
    rep = report(books, talent=COLLINS.upper() if by == "name" else books.collins.id)
    assert {line.talent_id for line in rep.lines} == {books.collins.id}
    assert totals_of(rep) == {(COLLINS, "USD", Decimal("875.00"))}
    both = report(books, talent=BIDEN, production="NIGHTFALL")
    assert totals_of(both) == {(BIDEN, "EUR", Decimal("2400.00"))}


@pytest.mark.parametrize("filters", [{"production": "NOPE"}, {"talent": "Nobody Atall"}], ids=["production", "talent"])
def test_an_unknown_filter_is_a_typed_not_found(books, filters):
    with pytest.raises(NotFound, match=next(iter(filters.values()))):
        report(books, **filters)


def test_the_csv_parses_and_says_what_the_report_says(books):
    rows = list(csv.DictReader(io.StringIO(report(books).to_csv())))
    assert [(r["talent"], r["production"], r["quantity"], r["rate"], r["currency"], r["owed"]) for r in rows] == [
        (COLLINS, "NIGHTFALL", "3.5", "250.00", "USD", "875.00"),
        (BIDEN, "DAYBREAK", "2", "5000.00", "USD", "5000.00"),
        (BIDEN, "NIGHTFALL", "2", "1200.00", "EUR", "2400.00"),
    ]
    assert rows[0]["grant_id"] == books.grants["collins_night"].id and rows[0]["talent_id"] == books.collins.id


def test_the_plain_form_is_json_with_decimal_strings(books):
    plain = json.loads(json.dumps(report(books).to_plain()))
    assert {(t["talent_name"], t["currency"], t["owed"]) for t in plain["totals"]} == {
        (COLLINS, "USD", "875.00"), (BIDEN, "EUR", "2400.00"), (BIDEN, "USD", "5000.00")}
    assert plain["lines"][0]["quantity"] == "3.5" and plain["lines"][0]["rate"] == "250.00"


def greenlight(books, capsys, monkeypatch, *args: str):
    from greenlight.cli.app import main

    monkeypatch.setenv("GREENLIGHT_HOME", str(books.studio.home))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(sys, "argv", ["greenlight", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    return exited.value.code or 0, captured.out, captured.err


def test_the_cli_prints_a_table_and_a_total_per_talent_and_currency(books, capsys, monkeypatch):
    code, out, _ = greenlight(books, capsys, monkeypatch, "report", "usage")
    assert code == 0
    assert "3.5 approved seconds" in out and "250.00 USD/s" in out and "5000.00 USD flat" in out
    assert f"total owed to {COLLINS}: 875.00 USD" in out
    assert f"total owed to {BIDEN}: 2400.00 EUR" in out and f"total owed to {BIDEN}: 5000.00 USD" in out


def test_the_cli_csv_and_filters(books, capsys, monkeypatch):
    code, out, _ = greenlight(books, capsys, monkeypatch, "report", "usage", "--talent", BIDEN, "--csv")
    assert code == 0
    assert [(r["production"], r["owed"]) for r in csv.DictReader(io.StringIO(out))] == [
        ("DAYBREAK", "5000.00"), ("NIGHTFALL", "2400.00")]
    code, _, err = greenlight(books, capsys, monkeypatch, "report", "usage", "--production", "NOPE")
    assert code == 2 and err.strip().startswith("error: no production") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\",\"pay\")", "+1+1", "-2+3", "@SUM(A1)"])
def test_a_name_never_reaches_a_spreadsheet_as_a_formula(name):
    from decimal import Decimal

    from greenlight.domain.compensation import UsageLine, report_of

    line = UsageLine(talent_id="tal_1", talent_name=name, production_id="prd_1", production_code=name,
                     grant_id="grant_1", unit="per-approved-image", quantity=Decimal(1), rate=Decimal("10.00"),
                     currency="USD", owed=Decimal("10.00"), jobs=1)
    [row] = list(csv.DictReader(io.StringIO(report_of([line]).to_csv())))
    assert row["talent"] == row["production"] == "'" + name
