"""Issue 7, class 5: a record that can be rewritten. Attacks on a real studio, and ordinary studios that must pass.

Each attack is what someone who can write the studio database (or the studio folder, but not read the
signing key) would do to hide a decision; ``ledger verify`` must exit 1 and name what broke. The
must-pass cases are studios nobody tampered with: they must verify clean, and say honestly what is
and is not protected.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from greenlight.ledger import GENESIS, entry_hash
from greenlight.runtime.studio import Studio
from greenlight.store.scratch import scratch_database
from tests.conftest import POSTGRES_ENV

DESCRIPTION = "De-age by about ten years in the rehearsal flashback of episode two, for streaming"


def grant(cli, talent: str = "Jane Doe", until: str = "2030-01-01") -> str:
    run = cli("consent", "grant", talent, "--production", "NIGHTFALL", "--use", "digital-alteration",
              "--description", DESCRIPTION, "--until", until, "--signed-by", talent, "--rate", "300", "--json")
    assert run.code == 0, run.err
    return json.loads(run.out)["id"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request, cli, monkeypatch):
    """The studio on SQLite, or on a scratch PostgreSQL schema when GREENLIGHT_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        yield cli
        return
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set (run through .ci/run to test PostgreSQL)")
    with scratch_database(url) as scratch:
        monkeypatch.setenv("GREENLIGHT_DATABASE_URL", scratch.url.render_as_string(hide_password=False))
        assert cli("init", cli.home).code == 0
        yield cli


@pytest.fixture
def busy(backend):
    """A studio with keys and a few dozen ordinary commands: productions, talent, grants and their changes."""
    cli = backend
    assert cli("keys", "init").code == 0
    cli("production", "add", "NIGHTFALL", "Nightfall")
    cli("production", "add", "DAYBREAK", "Daybreak")
    for name in ("Jane Doe", "John Roe", "Ana Lima"):
        assert cli("talent", "add", name).code == 0
    cli.grant_id = grant(cli)
    other = grant(cli, "John Roe")
    cli("consent", "suspend", other, "--reason", "strike")
    cli("consent", "resume", other, "--reason", "strike over")
    assert cli("consent", "revoke", cli.grant_id, "--reason", "talent withdrew consent").code == 0
    cli("protect", "person", "Barack Obama")
    cli("protect", "work", "Star Wars", "--character", "Darth Vader")
    return cli


def verify(cli, *args: str | Path) -> tuple[int, dict]:
    run = cli("ledger", "verify", "--json", *args)
    assert run.out.strip().startswith("{"), (run.code, run.out, run.err)
    return run.code, json.loads(run.out)


def assert_caught(cli, *needles: str, args: tuple = ()) -> dict:
    """``ledger verify`` exits 1 and one of its problems contains every needle."""
    code, report = verify(cli, *args)
    assert code == 1, report
    assert any(all(n in p for n in needles) for p in report["problems"]), (needles, report["problems"])
    return report


def database(cli):
    return Studio.open(Path(cli.home)).database


def sql(cli, statement: str, **params) -> list:
    with database(cli).session() as session:
        result = session.execute(text(statement), params)
        return list(result) if result.returns_rows else []


def head_count(cli) -> int:
    return sql(cli, "SELECT count FROM ledger_head")[0][0]


def truncate(cli, keep: int) -> None:
    """Delete every entry after ``keep`` and point the head at entry ``keep``: a clean-looking shorter chain."""
    last = sql(cli, "SELECT hash FROM ledger_entries WHERE seq = :seq", seq=keep)[0][0] if keep else GENESIS
    sql(cli, "DELETE FROM ledger_entries WHERE seq > :keep", keep=keep)
    sql(cli, "UPDATE ledger_head SET count = :keep, last_hash = :last", keep=keep, last=last)


def rewrite_entry(cli, seq: int, edit) -> None:
    """Edit entry ``seq``'s event with ``edit`` and recompute every hash from there on, and the head."""
    rows = sql(cli, "SELECT seq, record, prev_hash FROM ledger_entries ORDER BY seq")
    prev = GENESIS
    for number, record, _ in rows:
        event = json.loads(record)
        if number == seq:
            edit(event)
        digest = entry_hash(number, event, prev)
        sql(cli, "UPDATE ledger_entries SET record = :r, prev_hash = :p, hash = :h WHERE seq = :s",
            r=json.dumps(event), p=prev, h=digest, s=number)
        prev = digest
    sql(cli, "UPDATE ledger_head SET count = :c, last_hash = :h", c=len(rows), h=prev)


def checkpoints_file(cli) -> Path:
    return Path(cli.home) / "ledger" / "checkpoints.jsonl"


def seq_of(cli, kind: str, subject: str) -> int:
    return sql(cli, "SELECT max(seq) FROM ledger_entries WHERE kind = :k AND subject = :s", k=kind, s=subject)[0][0]


def edit_row(cli, table: str, row_id: str, edit, **columns) -> None:
    """Change a registry row's record (and key columns) behind the ledger's back."""
    record = json.loads(sql(cli, f"SELECT record FROM {table} WHERE id = :id", id=row_id)[0][0])
    edit(record)
    sets = ", ".join(["record = :record", *(f"{c} = :{c}" for c in columns)])
    sql(cli, f"UPDATE {table} SET {sets} WHERE id = :id", record=json.dumps(record), id=row_id, **columns)


# --- attacks on the chain --------------------------------------------------------------------------


def test_deleting_the_last_entries_and_rewriting_the_head_is_caught(busy):
    count = head_count(busy)
    truncate(busy, count - 3)  # the revocation and the protected entries are gone
    assert_caught(busy, "checkpoint", f"{count} entries", f"holds {count - 3}")


def test_recomputing_the_whole_chain_after_an_edit_is_caught(busy):
    revoked = seq_of(busy, "consent.revoked", busy.grant_id)

    def undo_revocation(event):
        event["kind"] = "consent.resumed"
        event["payload"]["record"]["state"] = "active"

    rewrite_entry(busy, revoked, undo_revocation)
    assert_caught(busy, "checkpoint", "root")


def test_a_revoked_grant_set_back_to_active_in_its_table_is_caught(busy):
    def reinstate(record):
        record["state"], record["history"] = "active", []

    edit_row(busy, "consent_grants", busy.grant_id, reinstate, state="active")
    assert_caught(busy, busy.grant_id, "state", "revoked")


def test_a_grant_state_column_alone_set_back_to_active_is_caught(busy):
    sql(busy, "UPDATE consent_grants SET state = 'active' WHERE id = :id", id=busy.grant_id)
    assert_caught(busy, busy.grant_id, "state")


def test_a_grant_until_date_moved_in_its_table_is_caught(busy):
    other = grant(busy, "Ana Lima", until="2027-01-01")

    def extend(record):
        record["valid_until"] = "2040-01-01T00:00:00Z"

    edit_row(busy, "consent_grants", other, extend)
    assert_caught(busy, other, "valid_until")


def test_a_deleted_protected_person_row_is_caught(busy):
    person = sql(busy, "SELECT id FROM protected_persons")[0][0]
    sql(busy, "DELETE FROM protected_persons WHERE id = :id", id=person)
    assert_caught(busy, person, "missing")


def test_a_deleted_protected_persons_reference_row_is_caught(busy, faces):
    assert busy("protect", "person", "Joe Biden", faces / "biden" / "biden.jpg").code == 0
    reference = sql(busy, "SELECT id FROM likeness_references")[0][0]
    sql(busy, "DELETE FROM likeness_references WHERE id = :id", id=reference)
    assert_caught(busy, reference, "missing")


def test_a_reference_embedding_swapped_in_its_row_is_caught(busy, faces):
    assert busy("protect", "person", "Joe Biden", faces / "biden" / "biden.jpg").code == 0
    reference = sql(busy, "SELECT id FROM likeness_references")[0][0]
    edit_row(busy, "likeness_references", reference, lambda r: r.update(embedding=[0.0] * 128))
    assert_caught(busy, reference, "embedding")


def test_a_renamed_production_is_caught(busy):
    code = sql(busy, "SELECT id FROM productions ORDER BY n")[0][0]

    def rename(record):
        record["title"] = "Something else"

    edit_row(busy, "productions", code, rename)
    assert_caught(busy, code, "title")


def test_a_rogue_enrolment_row_is_caught(busy):
    talent = sql(busy, "SELECT id FROM talent ORDER BY n")[0][0]
    record = {"schema": "LikenessReference.1", "subject_kind": "talent", "subject_id": talent,
              "photo_sha256": "b" * 64, "embedding": [0.01] * 128, "box": [1, 2, 3, 4],
              "id": "ref_rogue000000000", "enrolled_at": "2026-01-01T00:00:00Z"}
    sql(busy, "INSERT INTO likeness_references (id, subject_id, photo_sha256, record) VALUES (:i, :s, :p, :r)",
        i=record["id"], s=talent, p=record["photo_sha256"], r=json.dumps(record))
    assert_caught(busy, "ref_rogue000000000", "no ledger entry")


def test_undoing_a_revocation_in_table_and_ledger_tail_together_is_caught(busy):
    revoked = seq_of(busy, "consent.revoked", busy.grant_id)
    truncate(busy, revoked - 1)
    sql(busy, "DELETE FROM protected_persons")
    sql(busy, "DELETE FROM protected_works")

    def reinstate(record):
        record["state"], record["history"] = "active", []

    edit_row(busy, "consent_grants", busy.grant_id, reinstate, state="active")
    assert_caught(busy, "checkpoint", f"holds {revoked - 1}")


# --- attacks on the checkpoints ---------------------------------------------------------------------


def test_a_forged_checkpoint_line_without_the_key_is_caught(busy):
    path = checkpoints_file(busy)
    last = json.loads(path.read_text().splitlines()[-1])
    forged = dict(last, tree_size=last["tree_size"] + 5, root_hash="ab" * 32, signature="AAAA")
    with open(path, "a") as out:
        out.write(json.dumps(forged) + "\n")
    assert_caught(busy, "checkpoint", "signature")


def test_an_edited_checkpoint_line_is_caught(busy):
    path = checkpoints_file(busy)
    lines = path.read_text().splitlines()
    edited = json.loads(lines[-2])
    edited["root_hash"] = "cd" * 32
    lines[-2] = json.dumps(edited)
    path.write_text("\n".join(lines) + "\n")
    assert_caught(busy, "checkpoint", "signature")


def test_a_truncated_ledger_and_checkpoints_file_are_caught_by_an_exported_checkpoint(busy, tmp_path):
    kept = tmp_path / "legal-checkpoint.json"
    assert busy("ledger", "checkpoint", kept).code == 0
    revoked = seq_of(busy, "consent.revoked", busy.grant_id)
    truncate(busy, revoked - 1)
    _drop_checkpoints_beyond(busy, revoked - 1)
    sql(busy, "DELETE FROM protected_persons")
    sql(busy, "DELETE FROM protected_works")
    edit_row(busy, "consent_grants", busy.grant_id, lambda r: r.update(state="active", history=[]), state="active")
    assert_caught(busy, str(kept), "entries", args=("--checkpoint", kept))


def test_a_deleted_checkpoints_file_is_caught_when_the_studio_has_keys(busy):
    checkpoints_file(busy).unlink()
    assert_caught(busy, "checkpoints", "missing")


def test_checkpoints_signed_with_another_key_are_caught(busy, tmp_path):
    from greenlight.provenance import init_keys

    other = init_keys(tmp_path / "attacker-keys")
    truncate(busy, head_count(busy) - 2)
    _resign_checkpoints(busy, other)
    assert_caught(busy, "checkpoint", "key")


def test_a_last_checkpoint_line_deleted_with_the_ledger_tail_is_caught_by_an_output_manifest(busy):
    from PIL import Image

    picture = Path(busy.home).parent / "plate.png"
    Image.fromarray(np.full((96, 128, 3), 90, np.uint8)).save(picture)
    run = busy("ingest", picture, "--tool", "Hosted Video Model", "--production", "NIGHTFALL", "--json")
    assert run.code == 0, run.err
    signed_at = head_count(busy)
    busy("consent", "revoke", grant(busy, "Ana Lima"), "--reason", "withdrawn")
    truncate(busy, signed_at - 12)  # the ingest job's last steps and the revocation are gone ...
    _drop_checkpoints_beyond(busy, signed_at - 12)  # ... and so are the checkpoints that covered them
    assert_caught(busy, "manifest", "entries")


def test_a_job_state_rewritten_in_its_table_is_caught(busy):
    from PIL import Image

    picture = Path(busy.home).parent / "plate.png"
    Image.fromarray(np.full((96, 128, 3), 90, np.uint8)).save(picture)
    job = json.loads(busy("ingest", picture, "--tool", "Hosted Video Model", "--production", "NIGHTFALL",
                          "--json").out)["job"]
    edit_row(busy, "jobs", job, lambda r: r.update(state="approved"), state="approved")
    assert_caught(busy, job, "state")


def _drop_checkpoints_beyond(cli, size: int) -> None:
    path = checkpoints_file(cli)
    kept = [line for line in path.read_text().splitlines() if json.loads(line)["tree_size"] <= size]
    path.write_text("".join(line + "\n" for line in kept))


def _resign_checkpoints(cli, identity) -> None:
    """Write a fresh checkpoints file for the rewritten ledger, signed with a key that is not the studio's.

    The attacker runs the writer's own code, as keys init does, so the lines are well formed.
    """
    from greenlight.ledger.checkpoint_log import CheckpointLog
    from greenlight.provenance.keys import StudioSeal

    path = checkpoints_file(cli)
    path.unlink()
    attacker = CheckpointLog(path, lambda: StudioSeal(identity.chain_pem, identity.signer))
    assert attacker.update(database(cli), begin="keys")


# --- attacks that get the studio to re-sign (repro: ledger_rewrite_resign.sh, ledger_drop_keys.sh) ------------


def remove_entry(cli, kind: str, subject: str) -> None:
    """Remove one entry from the middle of the chain and renumber and rehash every later one, and the head."""
    rows = sql(cli, "SELECT seq, kind, subject, record FROM ledger_entries ORDER BY seq")
    kept = [r for r in rows if (r[1], r[2]) != (kind, subject)]
    sql(cli, "DELETE FROM ledger_entries")
    prev = GENESIS
    for number, (_, k, subject_, record) in enumerate(kept, start=1):
        digest = entry_hash(number, json.loads(record), prev)
        sql(cli, "INSERT INTO ledger_entries (seq, kind, subject, prev_hash, hash, record) VALUES (:s, :k, :j, :p, "
            ":h, :r)", s=number, k=k, j=subject_, p=prev, h=digest, r=record)
        prev = digest
    sql(cli, "UPDATE ledger_head SET count = :c, last_hash = :h", c=len(kept), h=prev)


def erase_revocation(cli) -> None:
    """The revocation leaves the middle of the chain and the grant row goes back to active."""
    remove_entry(cli, "consent.revoked", cli.grant_id)
    edit_row(cli, "consent_grants", cli.grant_id, lambda r: r.update(state="active", history=[]), state="active")


def signed_lines(cli) -> list[dict]:
    path = checkpoints_file(cli)
    lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [line for line in lines if line.get("signature")]


def test_a_mid_chain_removal_with_the_checkpoints_file_deleted_is_not_re_signed(busy):
    erase_revocation(busy)
    checkpoints_file(busy).unlink()
    run = busy("ledger", "checkpoint")
    assert run.code != 0 and "restart-checkpoints" in run.err + run.out
    assert signed_lines(busy) == []
    assert_caught(busy, "checkpoints", "entry 1")


def test_a_mid_chain_removal_with_the_checkpoints_file_emptied_is_not_signed_by_the_next_command(busy):
    erase_revocation(busy)
    checkpoints_file(busy).write_text("")
    assert busy("talent", "add", "After The Edit").code == 0  # ordinary work goes on, unsigned over
    assert signed_lines(busy) == []
    assert_caught(busy, "checkpoints", "entry 1")


def test_a_mid_chain_removal_under_the_checkpoints_is_not_signed_over(busy):
    before = len(signed_lines(busy))
    erase_revocation(busy)
    assert busy("talent", "add", "After The Edit").code == 0
    assert busy("ledger", "checkpoint").code != 0
    assert len(signed_lines(busy)) == before
    assert_caught(busy, "checkpoint", "root")


def test_deleted_keys_and_checkpoints_are_caught(busy):
    import shutil

    shutil.rmtree(Path(busy.home) / "keys")
    checkpoints_file(busy).unlink()
    assert_caught(busy, "entry 1", "key")
    busy("talent", "add", "After The Loss")  # no unsigned checkpoint is written over a keyed history
    assert not checkpoints_file(busy).exists() or checkpoints_file(busy).read_text() == ""


def test_new_keys_over_a_keyed_history_with_its_checkpoints_deleted_are_caught(busy):
    import shutil

    erase_revocation(busy)
    shutil.rmtree(Path(busy.home) / "keys")
    checkpoints_file(busy).unlink()
    assert busy("keys", "init").code == 0  # a second keys.created: the first key's checkpoints are not re-made
    assert signed_lines(busy) == []
    assert_caught(busy, "entry 1", "checkpoints")


def test_restarted_checkpoints_are_ledgered_and_fail_verify_until_acknowledged(busy, tmp_path):
    kept = tmp_path / "legal.json"
    assert busy("ledger", "checkpoint", kept).code == 0
    checkpoints_file(busy).unlink()
    assert busy("ledger", "restart-checkpoints").code != 0  # a reason is required
    run = busy("ledger", "restart-checkpoints", "--reason", "disk lost")
    assert run.code == 0, run.err
    restart = seq_of(busy, "checkpoints.restarted", "checkpoints")
    assert signed_lines(busy)[0]["restarted_at"] == restart
    assert_caught(busy, "restarted", f"entry {restart}", "--accept-restart")
    busy("talent", "add", "After The Restart")
    code, report = verify(busy, "--accept-restart", str(restart))
    assert (code, report["problems"]) == (0, []), report
    assert any("restarted" in note for note in report["notes"])
    code, report = verify(busy, "--checkpoint", kept)  # a checkpoint kept outside vouches for what came before
    assert (code, report["problems"]) == (0, []), report
    assert busy("ledger", "restart-checkpoints", "--reason", "again").code != 0  # signed checkpoints exist


def test_a_consistent_tail_cut_is_caught_by_the_checkpoints_copied_out(busy, tmp_path):
    kept = tmp_path / "legal"
    assert busy("ledger", "checkpoint", "--to", kept).code == 0
    busy("talent", "add", "Later Person")
    assert busy("ledger", "checkpoint", "--to", kept).code == 0
    revoked = seq_of(busy, "consent.revoked", busy.grant_id)
    truncate(busy, revoked - 1)
    _drop_checkpoints_beyond(busy, revoked - 1)
    sql(busy, "DELETE FROM protected_persons")
    sql(busy, "DELETE FROM protected_works")
    edit_row(busy, "consent_grants", busy.grant_id, lambda r: r.update(state="active", history=[]), state="active")
    assert len(list(kept.glob("*.json"))) == 2
    assert_caught(busy, "entries", "removed", args=("--checkpoint", kept))


# --- studios nobody tampered with ----------------------------------------------------------------------


def test_an_untouched_busy_studio_verifies_clean_and_is_protected(busy):
    code, report = verify(busy)
    assert (code, report["problems"]) == (0, [])
    assert report["protected"] is True
    assert report["checkpoints"]["signed"] >= 1
    run = busy("ledger", "verify")
    assert run.code == 0 and "signed checkpoint" in run.out


def test_an_untouched_studio_with_enrolments_and_a_signed_output_verifies_clean(busy, faces):
    from PIL import Image

    assert busy("talent", "enrol", "Jane Doe", faces / "eileen_collins" / "eileen_collins1.png").code == 0
    assert busy("protect", "person", "Joe Biden", faces / "biden" / "biden.jpg").code == 0
    picture = Path(busy.home).parent / "plate.png"
    Image.fromarray(np.full((96, 128, 3), 90, np.uint8)).save(picture)
    assert busy("ingest", picture, "--tool", "Hosted Video Model", "--production", "NIGHTFALL").code == 0
    code, report = verify(busy)
    assert (code, report["problems"]) == (0, [])
    assert report["checkpoints"]["manifests"] >= 1


def test_an_exported_checkpoint_still_verifies_after_more_commands(busy, tmp_path):
    kept = tmp_path / "talent-rep.json"
    assert busy("ledger", "checkpoint", kept).code == 0
    busy("talent", "add", "Later Person")
    grant(busy, "Later Person")
    code, report = verify(busy, "--checkpoint", kept)
    assert (code, report["problems"]) == (0, []), report
    assert report["checkpoints"]["given"] == 1


def test_concurrent_appends_verify_clean(busy):
    from greenlight.runtime.registry import add_talent

    failures: list[Exception] = []

    def work(worker: int) -> None:
        try:
            studio = Studio.open(Path(busy.home))
            for n in range(6):
                add_talent(studio, f"Worker {worker} Person {n}", "test")
        except Exception as exc:  # a lost race shows here
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    sizes = [json.loads(line)["tree_size"] for line in checkpoints_file(busy).read_text().splitlines()]
    assert sizes == sorted(sizes) and sizes[-1] == head_count(busy)
    code, report = verify(busy)
    assert (code, report["problems"]) == (0, [])


def test_a_studio_given_keys_after_some_work_verifies_clean(backend):
    cli = backend
    cli("production", "add", "NIGHTFALL", "Nightfall")
    cli("talent", "add", "Jane Doe")
    assert cli("keys", "init").code == 0
    grant(cli)
    code, report = verify(cli)
    assert (code, report["problems"], report["protected"]) == (0, [], True)


def test_a_studio_without_keys_verifies_but_does_not_claim_protection(cli):
    cli("production", "add", "NIGHTFALL", "Nightfall")
    cli("talent", "add", "Jane Doe")
    grant(cli)
    code, report = verify(cli)
    assert (code, report["problems"]) == (0, [])
    assert report["protected"] is False
    run = cli("ledger", "verify")
    assert run.code == 0 and "NOT protected" in run.out and "greenlight keys init" in run.out


def test_a_torn_last_checkpoint_line_from_a_crash_is_not_tampering(busy):
    with open(checkpoints_file(busy), "a") as out:
        out.write('{"schema": "greenlight.checkpoint.1", "tree_si')
    code, report = verify(busy)
    assert (code, report["problems"]) == (0, [])
    assert any("interrupted" in note for note in report["notes"])
    busy("talent", "add", "After The Crash")
    assert verify(busy) == (0, verify(busy)[1])
    assert checkpoints_file(busy).read_text().endswith("}\n")


# --- attacks on the columns the ledger is searched by (no hash covers them) ---------------------------


def test_a_revocation_moved_to_another_subject_by_its_column_is_caught_and_stops_the_guards(busy):
    revoked = seq_of(busy, "consent.revoked", busy.grant_id)
    sql(busy, "UPDATE ledger_entries SET subject = 'grant_elsewhere' WHERE seq = :s", s=revoked)
    assert_caught(busy, f"entry {revoked}", "columns were edited")
    refused = busy("screen", "a night street in the rain", "--production", "NIGHTFALL", "--use", "previs")
    assert refused.code == 2 and f"ledger entry {revoked}" in refused.err, (refused.code, refused.out, refused.err)


def test_a_key_entry_hidden_by_its_kind_column_does_not_let_a_command_sign_over_lost_checkpoints(busy):
    checkpoints_file(busy).unlink()
    sql(busy, "UPDATE ledger_entries SET kind = 'x' WHERE kind IN ('keys.created', 'keys.imported')")
    assert busy("talent", "add", "After The Edit").code == 0
    assert signed_lines(busy) == []
    assert_caught(busy, "columns were edited")


def test_a_protected_work_deleted_from_its_table_stops_screening_rather_than_letting_its_name_through(busy):
    work = sql(busy, "SELECT id FROM protected_works")[0][0]
    sql(busy, "DELETE FROM protected_works WHERE id = :id", id=work)
    refused = busy("screen", "Darth Vader walks down a night street", "--production", "NIGHTFALL", "--use", "previs")
    assert refused.code == 2 and work in refused.err and "missing" in refused.err, (refused.code, refused.err)


def test_a_protected_person_renamed_in_their_row_stops_screening(busy):
    person = sql(busy, "SELECT id FROM protected_persons")[0][0]
    edit_row(busy, "protected_persons", person, lambda r: r.update(name="Nobody", aliases=[]))
    refused = busy("screen", "Barack Obama at a podium", "--production", "NIGHTFALL", "--use", "previs")
    assert refused.code == 2 and person in refused.err, (refused.code, refused.err)


def test_an_older_copy_of_the_database_put_back_after_a_revocation_stops_the_guards(cli):
    import shutil

    assert cli("keys", "init").code == 0
    cli("production", "add", "NIGHTFALL", "Nightfall")
    assert cli("talent", "add", "Jane Doe").code == 0
    grant_id = grant(cli)
    db = Path(cli.home) / "greenlight.db"
    shutil.copyfile(db, db.with_name("before.db"))
    assert cli("consent", "revoke", grant_id, "--reason", "talent withdrew consent").code == 0
    shutil.copyfile(db.with_name("before.db"), db)  # consistent in itself: only the checkpoints file knows
    refused = cli("screen", "a night street in the rain", "--production", "NIGHTFALL", "--use", "previs")
    assert refused.code == 2 and "last signed checkpoint" in refused.err, (refused.code, refused.err)


def test_an_entry_overwritten_with_text_that_is_not_json_stops_the_guards_in_one_line(busy):
    revoked = seq_of(busy, "consent.revoked", busy.grant_id)
    sql(busy, "UPDATE ledger_entries SET record = 'gone' WHERE seq = :s", s=revoked)
    refused = busy("screen", "a night street in the rain", "--production", "NIGHTFALL", "--use", "previs")
    assert refused.code == 2 and "not readable JSON" in refused.err and "Traceback" not in refused.err
    assert len(refused.err.strip().splitlines()) == 1, refused.err
    assert_caught(busy, f"entry {revoked}")


# --- the guards read enrolments and talent as the ledger recorded them ---------------------------------
# `ledger verify` reported these edits, but every scan identified faces against the table as it stood: a
# protected person's reference handed to a consented talent was allowed under that talent's grant.


def scan_exit(cli, photo: Path) -> tuple[int, str]:
    run = cli("scan", photo, "--production", "NIGHTFALL", "--use", "digital-alteration")
    return run.code, run.err


def live_talent(cli) -> str:
    """John Roe: the talent of ``busy`` whose grant for NIGHTFALL is live."""
    return sql(cli, "SELECT id FROM talent WHERE name_key = 'john roe'")[0][0]


def test_a_protected_persons_reference_handed_to_a_consented_talent_stops_the_scan(busy, faces):
    photo = faces / "biden" / "biden.jpg"
    assert busy("protect", "person", "Joe Biden", photo).code == 0
    reference = sql(busy, "SELECT id FROM likeness_references")[0][0]
    talent = live_talent(busy)
    edit_row(busy, "likeness_references", reference, lambda r: r.update(subject_kind="talent", subject_id=talent),
             subject_id=talent)
    code, err = scan_exit(busy, photo)
    assert code == 2 and reference in err, (code, err)


def test_a_reference_row_added_behind_the_ledgers_back_stops_the_scan(busy, faces):
    photo = faces / "biden" / "biden.jpg"
    assert busy("protect", "person", "Joe Biden", photo).code == 0
    reference = sql(busy, "SELECT id FROM likeness_references")[0][0]
    talent = live_talent(busy)
    record = json.loads(sql(busy, "SELECT record FROM likeness_references WHERE id = :id", id=reference)[0][0])
    record.update(id="ref_rogue000000000", subject_kind="talent", subject_id=talent, photo_sha256="c" * 64)
    sql(busy, "INSERT INTO likeness_references (id, subject_id, photo_sha256, record) VALUES (:i, :s, :p, :r)",
        i=record["id"], s=talent, p=record["photo_sha256"], r=json.dumps(record))
    code, err = scan_exit(busy, photo)
    assert code == 2 and "ref_rogue000000000" in err, (code, err)


def test_a_protected_persons_reference_row_deleted_stops_the_scan_rather_than_escalating(busy, faces):
    photo = faces / "biden" / "biden.jpg"
    assert busy("protect", "person", "Joe Biden", photo).code == 0
    reference = sql(busy, "SELECT id FROM likeness_references")[0][0]
    sql(busy, "DELETE FROM likeness_references WHERE id = :id", id=reference)
    code, err = scan_exit(busy, photo)
    assert code == 2 and reference in err and "missing" in err, (code, err)


def test_a_talent_renamed_in_their_row_stops_screening(busy):
    talent = live_talent(busy)
    edit_row(busy, "talent", talent, lambda r: r.update(name="Nobody", aliases=[]), name_key="nobody")
    refused = busy("screen", "John Roe walks down a night street", "--production", "NIGHTFALL", "--use", "previs")
    assert refused.code == 2 and talent in refused.err, (refused.code, refused.err)


def test_an_untouched_studio_with_enrolments_still_scans_and_screens(busy, faces):
    assert busy("protect", "person", "Joe Biden", faces / "biden" / "biden.jpg").code == 0
    assert busy("talent", "enrol", "John Roe", faces / "obama" / "obama.jpg").code == 0
    assert scan_exit(busy, faces / "biden" / "biden.jpg")[0] == 4  # a protected person: block
    assert scan_exit(busy, faces / "obama" / "obama.jpg")[0] == 0  # John Roe, under his live grant
    assert busy("screen", "a night street", "--production", "NIGHTFALL", "--use", "previs").code == 0


# --- the guards check the whole chain and the production they decide under -----------------------------


def test_a_middle_entry_deleted_with_its_row_stops_screening(busy):
    assert busy("talent", "add", "Later Person").code == 0  # the work's entry is no longer the last
    work = sql(busy, "SELECT id FROM protected_works")[0][0]
    sql(busy, "DELETE FROM ledger_entries WHERE seq = :s", s=seq_of(busy, "protected.work.added", work))
    sql(busy, "DELETE FROM protected_works WHERE id = :id", id=work)
    refused = busy("screen", "Darth Vader walks down a night street", "--production", "NIGHTFALL", "--use", "previs")
    assert refused.code == 2 and "missing" in refused.err, (refused.code, refused.err)


def test_a_middle_entry_rewritten_in_place_with_its_row_deleted_stops_screening(busy):
    work = sql(busy, "SELECT id FROM protected_works")[0][0]
    seq = seq_of(busy, "protected.work.added", work)
    event = json.loads(sql(busy, "SELECT record FROM ledger_entries WHERE seq = :s", s=seq)[0][0])
    event.update(kind="note.added", subject="note_1", payload={})
    sql(busy, "UPDATE ledger_entries SET record = :r, kind = 'note.added', subject = 'note_1' WHERE seq = :s",
        r=json.dumps(event), s=seq)
    sql(busy, "DELETE FROM protected_works WHERE id = :id", id=work)
    refused = busy("screen", "Darth Vader walks down a night street", "--production", "NIGHTFALL", "--use", "previs")
    assert refused.code == 2 and f"entry {seq}" in refused.err, (refused.code, refused.err)


def screen_roe(cli, production: str) -> int:
    return cli("screen", "John Roe walks in", "--production", production, "--use", "digital-alteration").code


def test_production_codes_swapped_between_rows_stop_the_guard(busy):
    assert screen_roe(busy, "DAYBREAK") == 4  # his grant is for NIGHTFALL only
    sql(busy, "UPDATE productions SET code_key = 'tmp' WHERE code_key = 'nightfall'")
    sql(busy, "UPDATE productions SET code_key = 'nightfall' WHERE code_key = 'daybreak'")
    sql(busy, "UPDATE productions SET code_key = 'daybreak' WHERE code_key = 'tmp'")
    assert screen_roe(busy, "DAYBREAK") == 2


def test_a_productions_record_pointed_at_another_production_stops_the_guard(busy):
    nightfall = sql(busy, "SELECT id FROM productions WHERE code_key = 'nightfall'")[0][0]
    daybreak = sql(busy, "SELECT id FROM productions WHERE code_key = 'daybreak'")[0][0]
    edit_row(busy, "productions", daybreak, lambda r: r.update(id=nightfall))
    assert screen_roe(busy, "DAYBREAK") == 2


# --- entries appended by a database writer, with correct hashes -----------------------------------------


def forge_entry(cli, kind: str, subject: str, payload: dict) -> int:
    """Append an entry whose hash and link are right and move the head, as anyone who can write the database can."""
    count, last = sql(cli, "SELECT count, last_hash FROM ledger_head")[0]
    seq = count + 1
    event = {"schema": "LedgerEvent.1", "kind": kind, "subject": subject, "actor": "someone",
             "at": "2026-12-07T12:00:00Z", "payload": payload}
    digest = entry_hash(seq, event, last)
    sql(cli, "INSERT INTO ledger_entries (seq, kind, subject, prev_hash, hash, record) VALUES (:s, :k, :j, :p, :h, :r)",
        s=seq, k=kind, j=subject, p=last, h=digest, r=json.dumps(event))
    sql(cli, "UPDATE ledger_head SET count = :c, last_hash = :h", c=seq, h=digest)
    return seq


def test_a_revocation_undone_by_an_appended_entry_stops_the_guards_and_is_never_signed_over(busy):
    screen = ("screen", "Jane Doe walks in", "--production", "NIGHTFALL", "--use", "digital-alteration")
    assert busy(*screen).code == 4  # her grant was revoked
    last = json.loads(sql(busy, "SELECT record FROM ledger_entries WHERE seq = :s",
                          s=seq_of(busy, "consent.revoked", busy.grant_id))[0][0])
    record = dict(last["payload"]["record"], state="active", history=[])
    forged = forge_entry(busy, "consent.resumed", busy.grant_id, {"record": record})
    edit_row(busy, "consent_grants", busy.grant_id, lambda r: r.update(state="active", history=[]), state="active")
    refused = busy(*screen)
    assert refused.code == 2 and f"entry {forged}" in refused.err and "not sealed" in refused.err, refused
    signed = len(signed_lines(busy))
    assert busy("talent", "add", "After The Forgery").code == 0  # not a decision; but nothing signs over it
    assert len(signed_lines(busy)) == signed
    assert_caught(busy, f"entry {forged}", "not sealed")


def test_a_change_committed_by_a_process_that_died_before_its_checkpoint_is_signed_over_later(busy, monkeypatch):
    from greenlight.ledger.checkpoint_log import CheckpointLog

    with monkeypatch.context() as died:
        died.setattr(CheckpointLog, "update", lambda self, database, begin=None: None)
        assert busy("talent", "add", "Died Before Signing").code == 0
    assert busy("screen", "a night street", "--production", "NIGHTFALL", "--use", "previs").code == 0
    assert busy("talent", "add", "The Next Change").code == 0
    assert verify(busy)[0] == 0


def test_a_change_where_the_signing_key_cannot_be_read_is_refused_before_anything_is_written(busy, monkeypatch):
    from greenlight.provenance import keys

    chain = (Path(busy.home) / "keys" / keys.SIGNER_CHAIN).read_bytes()
    count = head_count(busy)
    with monkeypatch.context() as keyless:
        keyless.setattr(keys, "load_seal", lambda folder: keys.StudioSeal(chain))  # the certificate alone
        refused = busy("talent", "add", "Without The Key")
    assert refused.code == 2 and "signing key cannot be read" in refused.err, refused
    assert head_count(busy) == count and not sql(busy, "SELECT id FROM talent WHERE name_key = 'without the key'")
    assert busy("talent", "add", "With The Key").code == 0 and verify(busy)[0] == 0


def test_talent_names_swapped_between_rows_stop_what_is_done_in_a_talents_name(busy):
    assert busy("report", "usage", "--talent", "John Roe").code == 0
    sql(busy, "UPDATE talent SET name_key = 'tmp' WHERE name_key = 'john roe'")
    sql(busy, "UPDATE talent SET name_key = 'john roe' WHERE name_key = 'ana lima'")
    sql(busy, "UPDATE talent SET name_key = 'ana lima' WHERE name_key = 'tmp'")
    assert busy("report", "usage", "--talent", "John Roe").code == 2
    assert busy("token", "create", "--role", "talent-rep", "--for", "An Agent", "--talent", "John Roe").code == 2
    assert busy("consent", "grant", "John Roe", "--production", "NIGHTFALL", "--use", "digital-alteration",
                "--description", DESCRIPTION, "--until", "2030-01-01", "--signed-by", "John Roe").code == 2
    assert busy("talent", "enrol", "John Roe", "nothing.jpg").code == 2


@pytest.mark.parametrize("tail", [b"x\n", b"{}\n", b"null\n", b"[]\n", b'{"tree_size": 1}\n', "copy"],
                         ids=["junk", "empty-object", "null", "list", "partial", "a-copied-earlier-line"])
def test_a_line_appended_to_the_checkpoints_file_does_not_hide_a_forged_entry_from_the_guards(busy, tail):
    # A line that is not the last signed checkpoint made the guards skip their check of the entries after it;
    # now any such last line stops them.
    screen = ("screen", "Jane Doe walks in", "--production", "NIGHTFALL", "--use", "digital-alteration")
    last = json.loads(sql(busy, "SELECT record FROM ledger_entries WHERE seq = :s",
                          s=seq_of(busy, "consent.revoked", busy.grant_id))[0][0])
    forged = forge_entry(busy, "consent.resumed", busy.grant_id,
                         {"record": dict(last["payload"]["record"], state="active", history=[])})
    edit_row(busy, "consent_grants", busy.grant_id, lambda r: r.update(state="active", history=[]), state="active")
    path = Path(busy.home) / "ledger" / "checkpoints.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    with path.open("ab") as f:
        f.write(lines[0] if tail == "copy" else tail)
    refused = busy(*screen)
    assert refused.code == 2 and "checkpoints.jsonl" in refused.err, refused  # the line itself now stops them
    with path.open("rb+") as f:  # without it, the forged entry does
        f.truncate(sum(len(line) for line in lines))
    refused = busy(*screen)
    assert refused.code == 2 and f"entry {forged}" in refused.err, refused


@pytest.mark.parametrize("content", [b"", b"x\n"], ids=["emptied", "junk-only"])
def test_a_checkpoints_file_with_no_signed_line_stops_the_guards_of_a_keyed_studio(busy, content):
    (Path(busy.home) / "ledger" / "checkpoints.jsonl").write_bytes(content)
    refused = busy("screen", "a night street", "--production", "NIGHTFALL", "--use", "previs")
    assert refused.code == 2 and "checkpoint" in refused.err, refused


def rep_token(cli) -> tuple[str, str]:
    """A talent rep's token for John Roe: its id and its secret."""
    made = cli("token", "create", "--role", "talent-rep", "--for", "An Agent", "--talent", "John Roe")
    assert made.code == 0, made.err
    secret = next(line for line in made.out.splitlines() if line.startswith("glt_"))
    return sql(cli, "SELECT id FROM access_tokens")[0][0], secret


def test_a_token_raised_to_admin_by_an_appended_entry_is_refused_by_the_service(busy):
    from greenlight.domain.access import Role
    from greenlight.errors import Unauthorized
    from greenlight.runtime.access import authenticate

    token_id, secret = rep_token(busy)
    assert authenticate(Studio.open(busy.home), secret).role is Role.TALENT_REP
    raised = {"role": "admin", "talent_id": None}
    record = dict(json.loads(sql(busy, "SELECT record FROM access_tokens")[0][0]), **raised)
    forge_entry(busy, "token.created", token_id, {"record": record})
    edit_row(busy, "access_tokens", token_id, lambda r: r.update(raised), talent_id=None)
    with pytest.raises(Unauthorized, match="not sealed"):
        authenticate(Studio.open(busy.home), secret)


def test_a_token_revocation_deleted_from_the_middle_of_the_ledger_is_refused_by_the_service(busy):
    from greenlight.errors import Unauthorized
    from greenlight.runtime.access import authenticate

    token_id, secret = rep_token(busy)
    assert busy("token", "revoke", token_id).code == 0
    assert busy("talent", "add", "A Later Talent").code == 0
    sql(busy, "DELETE FROM ledger_entries WHERE seq = :s", s=seq_of(busy, "token.revoked", token_id))
    edit_row(busy, "access_tokens", token_id, lambda r: r.update(revoked_at=None, revoked_by=None))
    with pytest.raises(Unauthorized, match="ledger"):
        authenticate(Studio.open(busy.home), secret)


@pytest.mark.parametrize("newest", ["signature-garbled", "junk", "copied-earlier-line"])
def test_an_older_database_put_back_under_a_spoilt_newest_checkpoint_stops_the_guards(busy, newest):
    # The guards held the ledger to the last line the key signed, skipping what followed it: spoiling the newest
    # line made an older line, which an older copy of the database matches, the one the guards checked against.
    if os.environ.get("GREENLIGHT_DATABASE_URL"):
        pytest.skip("puts back an older copy of the SQLite file")
    db = Path(busy.home) / "greenlight.db"
    ana = grant(busy, "Ana Lima")
    older = db.read_bytes()  # the last line before the revocation's vouches for this copy
    assert busy("consent", "revoke", ana, "--reason", "talent withdrew consent").code == 0
    db.write_bytes(older)  # Ana Lima's grant live again, as the older copy has it
    path = checkpoints_file(busy)
    lines = path.read_text().splitlines()
    if newest == "signature-garbled":
        spoilt = json.loads(lines[-1])
        spoilt["signature"] = spoilt["signature"][:10] + ("A" if spoilt["signature"][10] != "A" else "B") + \
            spoilt["signature"][11:]
        lines[-1] = json.dumps(spoilt)
    else:
        lines.append("x" if newest == "junk" else lines[0])
    path.write_text("\n".join(lines) + "\n")
    refused = busy("screen", "Ana Lima walks in", "--production", "NIGHTFALL", "--use", "digital-alteration")
    assert refused.code == 2 and "checkpoint" in refused.err, refused
