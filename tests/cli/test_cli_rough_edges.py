"""What a new user tripped over, each through the real CLI on a real studio (the astronaut photo as talent)."""

from __future__ import annotations

import json
import re

from tests.cli.astronaut import TALENT, cast_fixture, deage, grant_stills, job_states  # noqa: F401  (the fixture `cast`)
from tests.cli.conftest import one_line_error

GATES = ["preflight", "postflight", "publish", "approve", "export"]


def test_an_unknown_job_state_is_one_line_naming_it_and_the_valid_ones(cast, snapshot):
    before = snapshot()
    run = cast("jobs", "list", "--state", "bogus")
    one_line_error(run, "'bogus'", "in_review", "blocked", "escalated", "cancelled")
    assert run.out == "" and snapshot() == before
    assert cast("jobs", "list", "--state", "in_review").code == 0


def test_jobs_run_says_which_job_was_blocked_exits_4_and_still_runs_the_others(cast):
    _, blocked = deage(cast, cast.take, "DAYBREAK", "--queue")  # the grant covers NIGHTFALL only
    _, covered = deage(cast, cast.take, "NIGHTFALL", "--queue")
    run = cast("jobs", "run")
    assert run.code == 4, (run.out, run.err)
    assert job_states(cast) == {blocked: "blocked", covered: "in_review"}
    assert f"{blocked} blocked" in run.err and covered not in run.err
    assert cast("jobs", "run").code == 0  # nothing queued any more: nothing stopped


def test_consent_grant_names_every_missing_option_at_once_and_records_nothing(cast, snapshot):
    before = snapshot()
    one_line_error(cast("consent", "grant", TALENT), "--use", "--description", "--until", "--signed-by", "--rate")
    bad = cast("consent", "grant", TALENT, "--use", "cameo", "--description", "any and all uses", "--until",
               "2030-13-01", "--rate", "lots", "--unit", "per-minute")
    one_line_error(bad, "missing --signed-by", "'cameo'", "boilerplate", "'2030-13-01'", "'lots'", "'per-minute'")
    typos = cast("consent", "grant", "Dana Reyse", "--production", "NIGTHFALL", "--use", "previs")
    one_line_error(typos, "missing --description", "no talent named 'Dana Reyse'", "'NIGTHFALL'")
    assert snapshot() == before


def test_jobs_show_names_the_guard_of_every_decision_and_what_is_owed(cast, tmp_path):
    run, job_id = deage(cast, cast.take, "NIGHTFALL")
    assert run.code == 0, run.out
    approved = cast("jobs", "approve", job_id, "--note", "right for the flashback")
    assert approved.code == 0
    # 12 frames at 24 fps on screen: half a second at 250.00 USD a second.
    assert f"0.5 approved seconds × 250.00 USD per approved second = 125.00 USD owed under {cast.grant_id}" \
        in approved.out, approved.out
    assert cast("export", job_id, tmp_path / "out").code == 0
    shown = cast("jobs", "show", job_id)
    gates = [line.split(" guard: ")[0].strip() for line in shown.out.splitlines() if " guard: " in line]
    assert gates == GATES, shown.out
    assert "usage (owed): 0.5 approved seconds × 250.00 USD per approved second = 125.00 USD owed" in shown.out
    plain = json.loads(cast("jobs", "show", job_id, "--json").out)
    assert [d["stage"] for d in plain["decisions"]] == GATES
    assert plain["owed"] == [{"grant_id": cast.grant_id, "amount": "125.00", "currency": "USD", "rate": "250.00",
                              "unit": "per-approved-second"}]
    assert {"job", "decisions", "assets"} <= set(plain) and plain["job"]["usage"][0]["quantity"] == 0.5
    blocked_run, blocked = deage(cast, cast.take, "DAYBREAK")
    assert blocked_run.code == 4
    assert "preflight guard: BLOCK" in cast("jobs", "show", blocked).out
    # the talent withdraws after the delivery: the next export is blocked, the delivered half second stays owed
    assert cast("consent", "revoke", cast.grant_id, "--reason", "talent withdrew").code == 0
    assert cast("export", job_id, tmp_path / "again").code == 4
    shown = cast("jobs", "show", job_id)
    assert "usage (owed: delivered before it was blocked): 0.5 approved seconds" in shown.out, shown.out
    assert json.loads(cast("jobs", "show", job_id, "--json").out)["owed_now"] == [True]
    assert "125.00" in cast("report", "usage").out


def test_a_grant_without_a_rate_says_nothing_is_owed(cli, tmp_path):
    from tests.cli.astronaut import DESCRIPTION, astronaut_files

    photo, _ = astronaut_files(tmp_path / "media")
    cli("production", "add", "NIGHTFALL", "Nightfall")
    cli("talent", "add", TALENT)
    cli("talent", "enrol", TALENT, photo)
    cli("keys", "init")
    assert cli("consent", "grant", TALENT, "--use", "digital-alteration", "--description", DESCRIPTION, "--until",
               "2030-01-01", "--signed-by", TALENT, "--rate", "0", "--unit", "per-approved-image").code == 0
    run, job_id = deage(cli, photo, "NIGHTFALL")
    assert run.code == 0, run.out
    approved = cli("jobs", "approve", job_id, "--note", "fine for the flashback")
    assert "1 approved image under grant_" in approved.out and "the grant sets no rate (0 USD), nothing owed" \
        in approved.out, approved.out


def test_a_decision_recorded_before_stages_were_kept_shows_the_stage_its_ledger_entry_names(cast):
    """Studios made by an older Greenlight: the stage is read from the decision.made entry."""
    from pathlib import Path

    from greenlight.domain import Decision
    from greenlight.runtime.studio import Studio

    _, job_id = deage(cast, cast.take, "NIGHTFALL", "--queue")
    studio = Studio.open(Path(cast.home))
    old = Decision.from_reasons((), production_id=None, use="digital-alteration", subject=job_id)
    with studio.transaction() as tx:  # exactly as the older runtime recorded a decision
        tx.registry.add_decision(old)
        tx.record("decision.made", old, "old-executor", job_id=job_id, stage="publish")
    assert f"publish guard: ALLOW (decision {old.id})" in cast("jobs", "show", job_id).out
    [plain] = json.loads(cast("jobs", "show", job_id, "--json").out)["decisions"]
    assert plain["stage"] == "publish" and plain["id"] == old.id
    assert cast("ledger", "verify").code == 0


def test_verify_says_what_the_watermark_signal_means(cast, tmp_path):
    run, job_id = deage(cast, cast.take, "NIGHTFALL")
    cast("jobs", "approve", job_id, "--note", "right for the flashback")
    cast("export", job_id, tmp_path / "out")
    [deliverable] = (tmp_path / "out").glob("*.mp4")
    verified = cast("verify", deliverable)
    [line] = [line for line in verified.out.splitlines() if "watermark:" in line]
    assert "recovered; signal " in line and "mean |z|" in line and "unmarked picture" in line, line
    plain = json.loads(cast("verify", deliverable, "--json").out)["watermark"]
    assert set(plain) == {"payload", "confidence", "state", "copied_from", "strength"}
    assert plain["strength"] == ("strong" if plain["confidence"] >= 1.8 else "weak") and plain["state"] == "traced"
    said = re.search(rf"signal {plain['strength']}: ([0-9.]+) mean \|z\|", line)
    assert said and abs(float(said.group(1)) - plain["confidence"]) <= 0.006, line  # JSON keeps more digits
    unmarked = cast("verify", cast.photo)
    assert unmarked.code == 1 and "watermark: none recovered: signal " in unmarked.out
    assert json.loads(cast("verify", cast.photo, "--json").out)["watermark"]["strength"] == "none"


def test_progress_names_the_talent_and_the_users_files_never_ids(cast):
    from pathlib import Path

    from greenlight.runtime.executor import LocalExecutor
    from greenlight.runtime.studio import Studio

    grant_stills(cast)  # the still is paid per image (the fixture's grant pays seconds, for the take)
    for clip, says in ((cast.photo, f"finding {TALENT} in {cast.photo.name}"),
                       (cast.take, f"postflight: faces in the output of {cast.take.name}")):
        _, job_id = deage(cast, clip, "NIGHTFALL", "--queue")
        [given] = json.loads(cast("jobs", "show", job_id, "--json").out)["job"]["inputs"]
        studio = Studio.open(Path(cast.home))
        with studio.transaction() as tx:
            talent = tx.registry.talent(TALENT)
            stored = Path(tx.registry.asset(given["sha256"]).path).stem
        messages: list[str] = []
        job = LocalExecutor(studio).run(job_id, lambda fraction, message, said=messages: said.append(message))
        assert job.state.value == "in_review"
        assert not [m for m in messages if talent.id in m or stored in m], messages
        assert any(m.startswith(says) for m in messages), (says, messages)


def test_a_progress_label_shows_a_file_name_as_it_is_and_keeps_its_frame_count(monkeypatch):
    import io

    from rich.console import Console

    from greenlight.cli import progress

    terminal = Console(file=io.StringIO(), force_terminal=True, width=120)
    monkeypatch.setattr(progress, "console_err", terminal)
    with progress.FrameProgress("scanning take{1}[red].mp4") as frames:
        frames(3, 10)
    long = "postflight: faces in the output of A001_C003_take_03_for_the_flashback_v2_final.mp4, frame 7/12"
    with progress.JobProgress() as job:
        job(0.5, "finding Dana Reyes in [b]take.mp4")
        job.bar.refresh()  # drawn now, not at the next tick
        job(0.9, long)
        job.bar.refresh()
    shown = terminal.file.getvalue()
    assert "scanning take{1}[red].mp4" in shown and "finding Dana Reyes in [b]take.mp4" in shown
    assert progress.shorten(long) in shown and progress.shorten(long).endswith("frame 7/12")
    assert len(progress.shorten(long)) == progress.WIDEST


def test_a_damaged_studio_database_is_one_line_naming_it(cli):
    # A copy cut short, or a file overwritten: a 111-line SQLAlchemy traceback before.
    from pathlib import Path

    assert cli("talent", "add", "Dana Reyes").code == 0
    database = Path(cli.home) / "greenlight.db"
    whole = database.read_bytes()
    for damaged in (whole[:8192], b"garbage\n"):
        database.write_bytes(damaged)
        for command in (("jobs", "list"), ("ledger", "verify")):
            one_line_error(cli(*command), "greenlight.db", "damaged")


def test_jobs_show_never_calls_a_use_owed_that_is_not(cast):
    run, job_id = deage(cast, cast.take, "NIGHTFALL")
    assert run.code == 0 and cast("jobs", "approve", job_id, "--note", "right for the flashback").code == 0
    assert cast("consent", "revoke", cast.grant_id, "--reason", "talent withdrew").code == 0
    line = next(x for x in cast("jobs", "show", job_id).out.splitlines() if "usage (" in x)
    assert "usage (not owed: its grant was revoked before delivery)" in line and "owed under" not in line, line
    assert "= 125.00 USD under" in line and "125.00" not in cast("report", "usage").out
