"""`atomic_output` and the store's `atomic_writer`: a file appears only complete, and what a killed writer left
beside it goes on the next write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from greenlight.media import atomic_output


def test_a_writer_killed_mid_write_leaves_a_temporary_file_that_the_next_write_removes(tmp_path):
    target = tmp_path / "job_1-1.mp4"
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from greenlight.media import atomic_output\n"
        f"with atomic_output({str(target)!r}) as tmp:\n"
        "    tmp.write_bytes(b'half')\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n")], stdout=subprocess.PIPE, text=True, env={**os.environ})
    assert writer.stdout.readline().strip() == "writing"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    [left] = [p for p in tmp_path.iterdir()]
    assert left.name.startswith(".job_1-1.") and not target.exists()
    with atomic_output(target) as tmp:
        tmp.write_bytes(b"whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job_1-1.mp4"] and target.read_bytes() == b"whole"


def test_a_temporary_file_a_live_writer_holds_is_left_alone(tmp_path):
    target = tmp_path / "take.mp4"
    with atomic_output(target) as first:
        first.write_bytes(b"one")
        with atomic_output(target) as second:
            second.write_bytes(b"two")
            assert first.exists()
        assert first.exists()
    assert target.read_bytes() == b"one" and [p.name for p in tmp_path.iterdir()] == ["take.mp4"]


def test_an_unlocked_stray_file_of_another_name_is_not_touched(tmp_path):
    stray = tmp_path / ".other.abcd1234.tmp.mp4"
    stray.write_bytes(b"x")
    with atomic_output(tmp_path / "take.mp4") as tmp:
        tmp.write_bytes(b"whole")
    assert stray.exists()


def test_a_ledger_export_killed_mid_write_leaves_nothing_after_the_next_one(tmp_path):
    target = tmp_path / "ledger.jsonl"
    writer = subprocess.Popen([sys.executable, "-c", (
        "import time\n"
        "from pathlib import Path\n"
        "from greenlight.store.files import atomic_writer\n"
        f"with atomic_writer(Path({str(target)!r})) as out:\n"
        "    out.write(b'half'); out.flush()\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "writing"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert [p.name.endswith(".part") for p in tmp_path.iterdir()] == [True]
    from greenlight.store.files import atomic_writer

    with atomic_writer(target) as out:
        out.write(b"whole")
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.jsonl"] and target.read_bytes() == b"whole"
