"""Benchmark of the ledger's signed checkpoints: what a checkpoint costs per append, what verify costs.

Builds a scratch studio (SQLite, development keys) and measures:

* one ledger append in its own committed transaction, and the checkpoint that follows its commit
  (Merkle frontier extended by the new entry, signed ES256, appended to ``ledger/checkpoints.jsonl``
  and fsynced), near the start and again once the ledger holds ``--entries`` entries;
* ``audit`` in-process and the whole ``greenlight ledger verify`` command on that ledger, whose
  checkpoints file has one line per ``--batch`` entries (a command appends a few entries).

Usage:
    .venv/bin/python bench/ledger.py [--entries 10000] [--batch 4] [--appends 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from greenlight.domain import LedgerEvent
from greenlight.ledger import Ledger
from greenlight.ledger.audit import audit
from greenlight.provenance import init_keys
from greenlight.runtime.studio import Studio


def event(n: int) -> LedgerEvent:
    # About the size of a decision entry: a few hundred bytes of payload.
    return LedgerEvent(kind="bench.noted", subject=f"bench_{n}",
                       payload={"n": n, "reasons": [{"code": "consent.covered", "message": "x" * 200}]})


def per_append(studio: Studio, count: int, start: int) -> tuple[float, float]:
    """Median milliseconds of one append in its own committed transaction, and of the checkpoint after it.

    Both are timed on the same appends, one after the other, so a busy machine slows both alike.
    """
    appends, checkpoints = [], []
    for n in range(start, start + count):
        began = time.perf_counter()
        with studio.database.session() as session:
            Ledger(session).append(event(n))
        committed = time.perf_counter()
        assert studio.checkpoints.update(studio.database) is not None
        appends.append(committed - began)
        checkpoints.append(time.perf_counter() - committed)
    return statistics.median(appends) * 1000, statistics.median(checkpoints) * 1000


def fill(studio: Studio, entries: int, batch: int, start: int) -> int:
    n = start
    while n < start + entries:
        with studio.transaction() as tx:
            for _ in range(batch):
                tx.ledger.append(event(n))
                n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--appends", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greenlight-bench-ledger-") as folder:
        studio = Studio.create(Path(folder) / "studio")
        init_keys(studio.home / "keys")
        n = 1
        plain, checkpoint = per_append(studio, args.appends, n)
        n += args.appends
        print(f"near the start: append {plain:.2f} ms, then its checkpoint {checkpoint:.2f} ms (medians)")
        began = time.perf_counter()
        n = fill(studio, args.entries - n + 1, args.batch, n)
        print(f"filled to {n - 1} entries in {time.perf_counter() - began:.1f} s")
        plain, checkpoint = per_append(studio, args.appends, n)
        n += args.appends
        print(f"at {n - 1} entries: append {plain:.2f} ms, then its checkpoint {checkpoint:.2f} ms (medians)")
        lines = len(studio.checkpoints.path.read_text().splitlines())
        size = studio.checkpoints.path.stat().st_size
        began = time.perf_counter()
        with studio.database.session() as session:
            report = audit(session, studio.checkpoints)
        took = time.perf_counter() - began
        assert report.ok, report.problems
        print(f"audit in-process: {report.count} entries, {lines} checkpoint lines ({size / 1e6:.1f} MB): {took:.2f} s")
        env = dict(os.environ, GREENLIGHT_HOME=str(studio.home))
        began = time.perf_counter()
        command = [sys.executable, "-c", "from greenlight.cli.app import main; main()", "ledger", "verify"]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        took = time.perf_counter() - began
        print(f"`greenlight ledger verify` (whole command): exit {done.returncode}, {took:.2f} s")


if __name__ == "__main__":
    main()
