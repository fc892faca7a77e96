"""The registry and consent commands as a user runs them: results, errors, and what the ledger holds."""

import json

from tests.cli.conftest import one_line_error

DESCRIPTION = "De-age by about ten years in the rehearsal flashback of episode two, for streaming"


def grant(cli, *extra):
    return cli("consent", "grant", "Anna Kowalska", "--production", "NIGHTFALL", "--use", "digital-alteration",
               "--description", DESCRIPTION, "--until", "2030-01-01", "--signed-by", "Anna Kowalska",
               "--rate", "300", *extra)


def test_production_talent_and_grant_round_trip(cli):
    assert cli("production", "add", "NIGHTFALL", "Nightfall, season 1").code == 0
    assert cli("talent", "add", "Anna Kowalska", "--alias", "Ania").code == 0
    granted = grant(cli, "--json")
    assert granted.code == 0
    record = json.loads(granted.out)
    assert record["schema"] == "ConsentGrant.1" and record["state"] == "active"
    # --until names the last day covered, the whole of it.
    assert record["valid_until"].startswith("2030-01-02T00:00:00")
    assert "2030-01-01" in cli("consent", "list").out
    shown = json.loads(cli("talent", "show", "anna kowalska", "--json").out)
    assert shown["talent"]["aliases"] == ["Ania"]
    assert [g["id"] for g in shown["grants"]] == [record["id"]]


def test_suspend_resume_revoke_and_no_way_back(cli):
    cli("production", "add", "NIGHTFALL", "Nightfall")
    cli("talent", "add", "Anna Kowalska")
    grant_id = json.loads(grant(cli, "--json").out)["id"]
    assert cli("consent", "suspend", grant_id, "--reason", "strike").code == 0
    assert cli("consent", "resume", grant_id, "--reason", "strike over").code == 0
    assert cli("consent", "revoke", grant_id, "--reason", "withdrawn").code == 0
    one_line_error(cli("consent", "resume", grant_id), grant_id, "revoked")
    states = [g["state"] for g in json.loads(cli("consent", "list", "--json").out)]
    assert states == ["revoked"]
    exported = cli("ledger", "export", "ledger.jsonl")
    assert exported.code == 0
    kinds = [json.loads(line)["event"]["kind"] for line in (cli.home / "ledger.jsonl").read_text().splitlines()]
    assert kinds == ["production.added", "talent.added", "consent.granted", "consent.suspended",
                     "consent.resumed", "consent.revoked"]


def test_refused_grants_change_nothing(cli, snapshot):
    cli("production", "add", "NIGHTFALL", "Nightfall")
    cli("talent", "add", "Anna Kowalska")
    cli("talent", "add", "Ruth Ellery", "--deceased", "--estate", "Ellery Estate")
    before = snapshot()
    one_line_error(grant(cli, "--description", "any and all uses"), "boilerplate")
    one_line_error(grant(cli, "--description", ""), "empty")
    one_line_error(grant(cli, "--signed-by", "Her Agent"), "must be signed by Anna Kowalska")
    one_line_error(grant(cli, "--until", "2020-01-01"), "before it starts")
    one_line_error(grant(cli, "--until", "next year"), "not a date")
    one_line_error(grant(cli, "--rate", "lots"), "not a number")
    one_line_error(grant(cli, "--use", "deepfake"), "unknown use", "digital-alteration")
    one_line_error(grant(cli, "--production", "DAYBREAK"), "DAYBREAK")
    one_line_error(cli("consent", "grant", "Ruth Ellery", "--use", "previs", "--description", DESCRIPTION,
                       "--until", "2030-01-01", "--signed-by", "Ruth Ellery", "--rate", "1"), "estate")
    one_line_error(cli("talent", "add", "Someone Gone", "--deceased"), "estate")
    one_line_error(cli("production", "add", "nightfall", "Again"), "already exists")
    assert snapshot() == before


def test_ledger_verify_names_an_edited_entry(cli):
    from sqlalchemy import func, update

    from greenlight.runtime.studio import Studio
    from greenlight.store.tables import ledger_entries

    cli("production", "add", "NIGHTFALL", "Nightfall")
    cli("talent", "add", "Anna Kowalska")
    assert cli("ledger", "verify").code == 0
    studio = Studio.open(cli.home)
    with studio.database.session() as session:
        session.execute(update(ledger_entries).where(ledger_entries.c.seq == 2)
                        .values(record=func.replace(ledger_entries.c.record, "Anna", "Anne")))
    broken = cli("ledger", "verify", "--json")
    assert broken.code == 1
    assert any("entry 2" in p for p in json.loads(broken.out)["problems"])


def test_ledger_export_stays_inside_the_studio(cli, tmp_path, snapshot):
    before = snapshot()
    one_line_error(cli("ledger", "export", tmp_path / "elsewhere.jsonl"), "outside the studio")
    one_line_error(cli("ledger", "export", "../escape.jsonl"), "outside the studio")
    assert not (tmp_path / "elsewhere.jsonl").exists() and not (tmp_path / "escape.jsonl").exists()
    assert snapshot() == before


def test_commands_without_a_studio_say_how_to_make_one(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("GREENLIGHT_HOME", str(tmp_path / "nowhere"))
    one_line_error(cli("talent", "list"), "not a Greenlight studio", "greenlight init")


def test_usage_mistakes_say_so_with_status_2_and_no_traceback(cli):
    for args in (("nope",), ("scan",), ("jobs", "approve", "job_x"), ("run", "deage", "x.mp4", "--years", "abc"),
                 ("talent", "list", "--bogus")):
        run = cli(*args)
        assert run.code == 2, args
        assert "Traceback" not in run.err and ("Error" in run.err or "Usage" in run.err), (args, run.err)
