"""A command killed (SIGKILL: no finally, no atexit) after a file is written but before it is recorded leaves
nothing the studio does not know of: no signed file in the asset store without its row, no hidden deliverable
beside an export that never happened. The next start of Greenlight removes them; it never removes a file a
row records (a quarantined output included), nor one a live process is still writing.

Each crash is a real one: the command runs in another process, which kills itself at the moment named.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import DESCRIPTION, LEAD, LEAD_PHOTO, one_line_error

STRANGER = "rose_leslie/rose_leslie1.jpg"  # other bytes, to swap in for a stored output

# Runs `greenlight ARGS…` and kills it right after the asset store has kept its Nth file.
KILLED_AFTER_STORING = """
import os, signal, sys
from greenlight.store.assets import AssetStore
n, original, kept = int(sys.argv[1]), AssetStore.put_file, []
def store_then_die(self, path):
    kept.append(original(self, path))
    if len(kept) == n:
        os.kill(os.getpid(), signal.SIGKILL)
    return kept[-1]
AssetStore.put_file = store_then_die
from greenlight.cli.app import main
sys.argv = ["greenlight", *sys.argv[2:]]
main()
"""

# Stores a file (or exports a job) and waits, alive, for a line on stdin before going on (or dying).
STORING_AND_WAITING = """
import sys
from pathlib import Path
from greenlight.runtime.studio import Studio
studio = Studio.open()
print(studio.assets.put_file(Path(sys.argv[1])).path, flush=True)
sys.stdin.readline()
"""

EXPORTING_AND_WAITING = """
import sys
from pathlib import Path
import greenlight.runtime.delivery as delivery
from greenlight.runtime.studio import Studio
recorded = delivery.record_export
def wait_then_record(*args, **kwargs):
    print("copied", flush=True)
    if sys.stdin.readline().strip() == "die":
        import os, signal
        os.kill(os.getpid(), signal.SIGKILL)
    recorded(*args, **kwargs)
delivery.record_export = wait_then_record
delivery.deliver(Studio.open(), sys.argv[1], Path(sys.argv[2]), "editor")
"""


@pytest.fixture
def keyed(studio):
    """The quick start's studio (Eileen Collins enrolled and covered), with keys and a grant paid per image."""
    assert studio("keys", "init", "--organisation", "Test Studio").code == 0
    studio.per_image = {}
    for use in ("independent-replica", "digital-alteration"):
        granted = studio("consent", "grant", LEAD, "--production", "NIGHTFALL", "--use", use, "--description",
                         DESCRIPTION, "--until", "2030-01-01", "--signed-by", LEAD, "--rate", "40", "--unit",
                         "per-approved-image", "--json")
        assert granted.code == 0, granted.err
        studio.per_image[use] = json.loads(granted.out)["id"]
    return studio


def still(faces: Path, tmp_path: Path, photo: str = LEAD_PHOTO, name: str = "plate_09.png") -> Path:
    plate = tmp_path / name
    plate.write_bytes((faces / photo).read_bytes())
    return plate


def killed(script: str, *args: str | Path) -> subprocess.CompletedProcess:
    worker = subprocess.run([sys.executable, "-c", script, *map(str, args)], env={**os.environ},
                            capture_output=True, text=True, timeout=300)
    assert worker.returncode == -signal.SIGKILL, (worker.returncode, worker.stderr[-2000:])
    return worker


def rows(home: Path, query: str) -> list[tuple]:
    """Read the database as it is, without opening the studio (which would sweep first)."""
    with sqlite3.connect(home / "greenlight.db") as db:
        return list(db.execute(query))


def unrecorded(home: Path) -> list[str]:
    """Stored files (sidecar manifests included) that no asset row records."""
    known = {path for (path,) in rows(home, "SELECT path FROM assets")}
    digests = {sha for (sha,) in rows(home, "SELECT sha256 FROM assets")}
    found = []
    for path in (home / "assets").rglob("*"):
        relative = path.relative_to(home)
        if not path.is_file() or relative.parts[1].startswith("."):
            continue
        if relative.parts[1] == "credentials":
            if path.name.removesuffix(".c2pa") not in digests:
                found.append(relative.as_posix())
        elif relative.as_posix() not in known:
            found.append(relative.as_posix())
    return sorted(found)


def missing(home: Path) -> list[str]:
    """Asset rows whose file is gone."""
    return [path for (path,) in rows(home, "SELECT path FROM assets") if not (home / path).is_file()]


def job_ids(cli) -> set[str]:
    return {j["id"] for j in json.loads(cli("jobs", "list", "--json").out)}


def approved(cli, faces, tmp_path) -> str:
    """An outside tool's still of Eileen Collins, ingested and approved."""
    run = cli("ingest", still(faces, tmp_path), "--tool", "HostedModel 3", "--production", "NIGHTFALL", "--json")
    assert run.code == 0, run.err
    job_id = json.loads(run.out)["job"]
    assert cli("jobs", "approve", job_id, "--note", "right for the flashback").code == 0
    return job_id


# --- F4: a file stored, then the process killed before its row ---------------------------------------------


@pytest.mark.parametrize("nth, what", [(1, "the ingested original"), (2, "the signed output")])
def test_an_ingest_killed_right_after_storing_leaves_no_unrecorded_file(keyed, faces, tmp_path, nth, what):
    plate = still(faces, tmp_path)
    killed(KILLED_AFTER_STORING, nth, "ingest", plate, "--tool", "HostedModel 3", "--production", "NIGHTFALL")
    home = Path(keyed.home)
    assert unrecorded(home), f"the kill should have left {what} in the store with no row"
    assert keyed("jobs", "list").code == 0  # the next start
    assert unrecorded(home) == [] and missing(home) == []
    assert keyed("ledger", "verify").code == 0


def test_a_queued_job_killed_right_after_storing_its_output_leaves_nothing_after_a_rerun(keyed, faces, tmp_path):
    queued = keyed("run", "deage", still(faces, tmp_path, name="take.png"), "--talent", LEAD, "--years", "10",
                   "--production", "NIGHTFALL", "--queue")
    assert queued.code == 0, queued.err
    [job_id] = job_ids(keyed)
    killed(KILLED_AFTER_STORING, 1, "jobs", "run")
    home = Path(keyed.home)
    [signed] = unrecorded(home)
    assert keyed("jobs", "list").code == 0
    assert unrecorded(home) == [] and not (home / signed).exists()
    assert keyed("jobs", "run").code == 0
    shown = json.loads(keyed("jobs", "show", job_id, "--json").out)
    assert shown["job"]["state"] == "in_review"
    assert unrecorded(home) == [] and missing(home) == []
    assert keyed("ledger", "verify").code == 0


def test_a_file_stored_by_a_live_process_is_kept_until_it_dies(keyed, faces, tmp_path):
    home = Path(keyed.home)
    writer = subprocess.Popen([sys.executable, "-c", STORING_AND_WAITING, still(faces, tmp_path)],
                              env={**os.environ}, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        stored = Path(writer.stdout.readline().strip())
        assert stored.is_file()
        assert keyed("jobs", "list").code == 0  # another start while it is still storing: not its to remove
        assert stored.is_file()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
    assert keyed("jobs", "list").code == 0
    assert not stored.exists() and unrecorded(home) == []


def test_files_a_row_records_are_kept_even_when_a_killed_process_stored_them_again(keyed, faces, tmp_path):
    home = Path(keyed.home)
    job_id = approved(keyed, faces, tmp_path)
    assert keyed("consent", "revoke", keyed.per_image["independent-replica"], "--reason", "talent withdrew").code == 0
    assert keyed("export", job_id, tmp_path / "deliverables").code != 0  # blocked: its output quarantined
    assert {role for (role,) in rows(home, "SELECT json_extract(record, '$.role') FROM assets")} == {
        "input", "quarantined"}
    recorded = [home / path for (path,) in rows(home, "SELECT path FROM assets")]
    for path in recorded:  # the same bytes again, by a process killed before it could record anything
        killed(STORING_AND_WAITING.replace("sys.stdin.readline()", "import os, signal; os.kill(os.getpid(), 9)"),
               path)
    assert keyed("jobs", "list").code == 0
    assert all(path.is_file() for path in recorded) and unrecorded(home) == [] and missing(home) == []


# --- F5: an export killed before it is recorded -------------------------------------------------------------


def exported(home: Path) -> int:
    return len(rows(home, "SELECT seq FROM ledger_entries WHERE kind = 'job.exported'"))


def killed_mid_export(cli, job_id: str, out: Path) -> list[Path]:
    """Export in another process, killed once the copies are made and before the export is recorded."""
    worker = subprocess.Popen([sys.executable, "-c", EXPORTING_AND_WAITING, job_id, out], env={**os.environ},
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert worker.stdout.readline().strip() == "copied"
    worker.communicate("die\n", timeout=60)
    assert worker.returncode == -signal.SIGKILL
    left = sorted(out.iterdir())
    assert left and all(p.name.startswith(f".{job_id}-") for p in left), left
    return left


def test_an_export_killed_before_it_is_recorded_leaves_no_deliverable_after_the_next_start(keyed, faces, tmp_path):
    job_id, out = approved(keyed, faces, tmp_path), tmp_path / "deliverables"
    killed_mid_export(keyed, job_id, out)
    assert keyed("jobs", "list").code == 0
    assert list(out.iterdir()) == [] and exported(Path(keyed.home)) == 0


def test_an_export_killed_then_blocked_by_a_revocation_leaves_no_deliverable(keyed, faces, tmp_path):
    job_id, out = approved(keyed, faces, tmp_path), tmp_path / "deliverables"
    killed_mid_export(keyed, job_id, out)
    assert keyed("consent", "revoke", keyed.per_image["independent-replica"], "--reason", "talent withdrew").code == 0
    assert keyed("export", job_id, out).code != 0
    assert list(out.iterdir()) == [] and exported(Path(keyed.home)) == 0


def test_a_stale_temporary_of_the_job_goes_before_a_blocked_export(keyed, faces, tmp_path):
    # A hidden copy the studio has no record of (its in-flight list lost with a restored backup, say).
    job_id, out = approved(keyed, faces, tmp_path), tmp_path / "deliverables"
    [left] = killed_mid_export(keyed, job_id, out)
    kept = left.read_bytes()
    assert keyed("consent", "revoke", keyed.per_image["independent-replica"], "--reason", "talent withdrew").code == 0
    left.write_bytes(kept)  # as if the sweep had never seen it
    assert keyed("export", job_id, out).code != 0
    assert list(out.iterdir()) == []


def test_a_live_export_keeps_its_copies_while_another_command_starts(keyed, faces, tmp_path):
    job_id, out = approved(keyed, faces, tmp_path), tmp_path / "deliverables"
    worker = subprocess.Popen([sys.executable, "-c", EXPORTING_AND_WAITING, job_id, out], env={**os.environ},
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert worker.stdout.readline().strip() == "copied"
    copies = sorted(out.iterdir())
    assert keyed("jobs", "list").code == 0
    assert sorted(out.iterdir()) == copies
    worker.communicate("go on\n", timeout=60)
    assert worker.returncode == 0
    assert [p.name for p in out.iterdir()] == [f"{job_id}-1.png"] and exported(Path(keyed.home)) == 1


# --- F6: the stored file swapped between the export's check and its copy -------------------------------------

# Holds the checkpoints file's lock (which the export waits on after its gate commits), swaps the stored output
# for other bytes as soon as the gate's decision is in the ledger, then lets the export go on.
SWAPPING_AFTER_THE_GATE = """
import fcntl, os, sqlite3, sys, time
home, stored, other = sys.argv[1:4]
lock = open(os.path.join(home, "ledger", "checkpoints.jsonl"), "a+b")
fcntl.flock(lock, fcntl.LOCK_EX)
db = sqlite3.connect(os.path.join(home, "greenlight.db"))
head = lambda: db.execute("SELECT count FROM ledger_head").fetchone()[0]
start = head()
print("holding", flush=True)
while head() == start:
    time.sleep(0.02)
with open(other, "rb") as src, open(stored + ".swap", "wb") as dst:
    dst.write(src.read())
os.replace(stored + ".swap", stored)
fcntl.flock(lock, fcntl.LOCK_UN)
"""


def test_an_output_swapped_after_the_export_gate_is_not_delivered(keyed, faces, tmp_path):
    home = Path(keyed.home)
    job_id, out = approved(keyed, faces, tmp_path), tmp_path / "deliverables"
    [asset] = [a for a in json.loads(keyed("jobs", "show", job_id, "--json").out)["assets"] if a["role"] == "output"]
    stored = home / asset["path"]
    original = stored.read_bytes()
    swapper = subprocess.Popen([sys.executable, "-c", SWAPPING_AFTER_THE_GATE, home, stored, faces / STRANGER],
                               env={**os.environ}, stdout=subprocess.PIPE, text=True)
    try:
        assert swapper.stdout.readline().strip() == "holding"
        run = keyed("export", job_id, out)
    finally:
        swapper.wait(timeout=60)
    assert swapper.returncode == 0
    assert stored.read_bytes() != original, "the swap should have happened during the export"
    one_line_error(run, asset["path"], "sha256")
    assert not out.exists() or list(out.iterdir()) == []
    assert exported(home) == 0
    stored.chmod(0o644)
    stored.write_bytes(original)  # put back: the export goes through, and delivers the recorded bytes
    assert keyed("export", job_id, out).code == 0
    assert (out / f"{job_id}-1.png").read_bytes() == original and exported(home) == 1
