"""Load on the studio service: many clients at once submitting jobs, reading their status and the review queue.

Builds a fresh studio (development keys, one production, a few ingest jobs that really ran: some approved,
some in review), starts `greenlight serve` on a free loopback port in a subprocess (its executor beside it
unless ``--no-executor``), then runs ``--clients`` threads, each with its own keep-alive HTTP client, for
``--seconds``: each request is a job submission (a small still, ingested), a job's status, or a read of the
review queue. The run is bounded by time and by ``--max-submits``, and stops by itself; the server is
stopped with Ctrl-C's signal and must exit cleanly.

Reports requests per second, p50/p99 latency per kind and overall, every error, the load average, and how
many of the submitted jobs the executor brought to review meanwhile.

Usage:
    .venv/bin/python bench/api_load.py [--clients 50] [--seconds 30] [--no-executor]
    .ci/run .venv/bin/python bench/api_load.py --database-url "$GREENLIGHT_TEST_POSTGRES_URL"
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = {"submit": 0.2, "status": 0.4, "review-queue": 0.4}
PRODUCTION = "BENCH"


def still(seed: int) -> bytes:
    """A small faceless PNG (noise), different for every seed, so each submission stores a new input."""
    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(seed).integers(0, 255, (96, 128, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


@contextmanager
def database_env(url: str | None):
    """``GREENLIGHT_DATABASE_URL`` for the run: a fresh schema on the PostgreSQL server given, dropped after."""
    if not url:
        os.environ.pop("GREENLIGHT_DATABASE_URL", None)
        yield "SQLite"
        return
    from sqlalchemy import create_engine, make_url, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    server = make_url(url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = server.update_query_dict({"options": f"-csearch_path={schema}"})
    os.environ["GREENLIGHT_DATABASE_URL"] = scoped.render_as_string(hide_password=False)
    try:
        yield "PostgreSQL"
    finally:
        os.environ.pop("GREENLIGHT_DATABASE_URL", None)
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def build_studio(home: Path, seeded: int) -> dict[str, object]:
    """A studio with keys, a production, tokens, and ``seeded`` ingest jobs (every other one approved)."""
    from greenlight.domain.access import Role
    from greenlight.provenance import init_keys
    from greenlight.runtime.access import issue
    from greenlight.runtime.executor import LocalExecutor
    from greenlight.runtime.jobs import review, submit
    from greenlight.runtime.registry import add_production
    from greenlight.runtime.signing import keys_folder
    from greenlight.runtime.studio import Studio

    studio = Studio.create(home)
    init_keys(keys_folder(studio))
    add_production(studio, PRODUCTION, "Load bench", "bench")
    jobs = []
    for n in range(seeded):
        source = home.parent / f"plate_{n:02d}.png"
        source.write_bytes(still(10_000 + n))
        job = submit(studio, "ingest", {"tool": "Nuke"}, [source], PRODUCTION, "Ana Artist (artist)")
        job = LocalExecutor(studio).run(job.id)
        if n % 2 == 0 and job.state.value == "in_review":
            job = review(studio, job.id, True, "Rui Reviewer (reviewer)", "bench seed")
        jobs.append(job.id)
    secrets = {who: issue(studio, name, role, "bench")[1] for who, name, role in (
        ("artist", "Ana Artist", Role.ARTIST), ("reviewer", "Rui Reviewer", Role.REVIEWER))}
    studio.database.dispose()
    return {"jobs": jobs, "secrets": secrets}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(home: Path, port: int, executor: bool) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "greenlight", "serve", "--studio", str(home), "--port", str(port)]
    if not executor:
        command.append("--no-executor")
    log = open(home.parent / "server.log", "w")  # noqa: SIM115 (kept open for the server's lifetime)
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(base: str, secret: str, server: subprocess.Popen, seconds: float = 90) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode}); see its log")
        try:
            if httpx.get(f"{base}/whoami", headers={"Authorization": f"Bearer {secret}"}, timeout=2).is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not answer in time")


class Load:
    """The clients' shared record: latencies per kind, errors, the jobs submitted so far."""

    def __init__(self, jobs: list[str], max_submits: int) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.jobs, self.submits_left = list(jobs), max_submits

    def take_submit(self) -> bool:
        with self.lock:
            if self.submits_left <= 0:
                return False
            self.submits_left -= 1
            return True

    def done(self, kind: str, seconds: float, error: str | None, job: str | None = None) -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            if error:
                self.errors[f"{kind}: {error}"] += 1
            if job:
                self.jobs.append(job)


def client(n: int, base: str, secrets: dict[str, str], load: Load, until: float) -> None:
    import httpx

    chooser = random.Random(n)
    artist = {"Authorization": f"Bearer {secrets['artist']}"}
    reviewer = {"Authorization": f"Bearer {secrets['reviewer']}"}
    with httpx.Client(base_url=base, timeout=60) as http:
        sent = 0
        while time.monotonic() < until:
            kind = chooser.choices(list(KINDS), weights=list(KINDS.values()))[0]
            if kind == "submit" and not load.take_submit():
                kind = "status"
            start, job, error = time.perf_counter(), None, None
            try:
                if kind == "submit":
                    sent += 1
                    response = http.post("/jobs", headers=artist, data={
                        "engine": "ingest", "production": PRODUCTION, "params": '{"tool": "Nuke"}'},
                        files=[("files", (f"plate_{n}_{sent}.png", still(n * 100_000 + sent), "image/png"))])
                    job = response.json().get("id") if response.status_code == 201 else None
                elif kind == "status":
                    response = http.get(f"/jobs/{chooser.choice(load.jobs)}", headers=artist)
                else:
                    response = http.get("/review", headers=reviewer)
                if not response.is_success:
                    error = f"HTTP {response.status_code} {response.text[:120]}"
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            load.done(kind, time.perf_counter() - start, error, job)


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(load: Load, seconds: float, backend: str, executor: bool, clients: int, loads: tuple) -> dict:
    every = [v for values in load.latency.values() for v in values]
    rows = {kind: {"requests": len(v), "per_second": round(len(v) / seconds, 1),
                   "p50_ms": round(1000 * percentile(v, 50), 1), "p99_ms": round(1000 * percentile(v, 99), 1)}
            for kind, v in sorted(load.latency.items())}
    rows["all"] = {"requests": len(every), "per_second": round(len(every) / seconds, 1),
                   "p50_ms": round(1000 * percentile(every, 50), 1), "p99_ms": round(1000 * percentile(every, 99), 1)}
    return {"backend": backend, "executor": executor, "clients": clients, "seconds": round(seconds, 1),
            "rows": rows, "errors": sum(load.errors.values()), "error_kinds": dict(load.errors),
            "load_average_before": loads[0], "load_average_after": loads[1]}


def job_states(base: str, secret: str) -> Counter[str]:
    import httpx

    jobs = httpx.get(f"{base}/jobs", headers={"Authorization": f"Bearer {secret}"}, timeout=120).json()
    return Counter(j["state"] for j in jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-submits", type=int, default=3000, help="At most this many submissions in all.")
    parser.add_argument("--seeded", type=int, default=6, help="Jobs run before the load (every other approved).")
    parser.add_argument("--database-url", help="A PostgreSQL server URL (a fresh schema is made and dropped).")
    parser.add_argument("--no-executor", dest="executor", action="store_false",
                        help="Serve without the executor: submitted jobs stay queued.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    with database_env(args.database_url) as backend, tempfile.TemporaryDirectory(prefix="api-load-") as scratch:
        home = Path(scratch) / "studio"
        seed = build_studio(home, args.seeded)
        port = free_port()
        base = f"http://127.0.0.1:{port}/api/v1"
        server = start_server(home, port, args.executor)
        try:
            wait_ready(base, seed["secrets"]["artist"], server)
            load = Load(seed["jobs"], args.max_submits)
            before = os.getloadavg()
            started = time.monotonic()
            until = started + args.seconds
            threads = [threading.Thread(target=client, args=(n, base, seed["secrets"], load, until))
                       for n in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            figures = report(load, elapsed, backend, args.executor, args.clients, (before, os.getloadavg()))
            figures["jobs_by_state_after"] = dict(job_states(base, seed["secrets"]["reviewer"]))
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=120)
            except subprocess.TimeoutExpired:
                server.kill()
                raise SystemExit("the server did not stop on SIGINT") from None
        figures["server_exit"] = server.returncode
    print_figures(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if figures["errors"] or figures["server_exit"] != 0:
        raise SystemExit(1)


def print_figures(figures: dict) -> None:
    print(f"{figures['backend']}, executor {'on' if figures['executor'] else 'off'}, {figures['clients']} clients, "
          f"{figures['seconds']} s; load average before {figures['load_average_before'][0]:.2f}, "
          f"after {figures['load_average_after'][0]:.2f} (1 min)")
    print(f"{'kind':<14}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for kind, row in figures["rows"].items():
        print(f"{kind:<14}{row['requests']:>10}{row['per_second']:>9}{row['p50_ms']:>9}{row['p99_ms']:>9}")
    print(f"errors: {figures['errors']}" + "".join(f"\n  {k} ×{v}" for k, v in figures["error_kinds"].items()))
    print(f"jobs after the run: {figures['jobs_by_state_after']}; server exit status {figures['server_exit']}")


if __name__ == "__main__":
    main()
