"""`greenlight serve`: uvicorn on loopback with the executor beside it; Ctrl-C stops both cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from greenlight.cli.serve import is_loopback

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                                ("127.8.9.10", True), ("0.0.0.0", False), ("192.168.1.20", False),
                                                ("::", False), ("studio.example", False)])
def test_only_loopback_addresses_count_as_loopback(host, loopback):
    assert is_loopback(host) is loopback


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"gave up after {seconds} s")


def test_serve_runs_submitted_jobs_and_stops_cleanly_on_ctrl_c(world):
    import httpx

    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    server = subprocess.Popen([sys.executable, "-m", "greenlight", "serve", "--studio", str(world.studio.home),
                               "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        def answering():
            try:
                return httpx.get(f"{base}/whoami", headers=world.auth("producer"), timeout=2).status_code == 200
            except httpx.TransportError:
                return server.poll() is not None and pytest.fail(server.stdout.read())

        wait_for(answering, 60)
        with world.take("biden/biden2.jpg").open("rb") as file:
            queued = httpx.post(f"{base}/jobs", headers=world.auth("producer"), timeout=30,
                                data={"engine": "ingest", "production": "NIGHTFALL", "params": '{"tool": "Nuke"}'},
                                files=[("files", ("plate_04.jpg", file, "image/jpeg"))]).json()

        def settled():
            job = httpx.get(f"{base}/jobs/{queued['id']}", headers=world.auth("producer"), timeout=15).json()["job"]
            return job["state"] if job["state"] not in ("queued", "preflight", "running", "postflight") else None

        assert wait_for(settled, 90) == "in_review"
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert "executor stopped" in output and f"127.0.0.1:{port}" in output
    assert f"executor: job {queued['id']}: in_review" in output  # the executor says what it did,
    assert "alembic" not in output.lower()  # and not what the libraries under it do
    assert "Traceback" not in output  # nor a thread dying as the process ends


@pytest.mark.parametrize(("host", "warned"), [("127.0.0.1", False), ("0.0.0.0", True)])
def test_a_host_beyond_loopback_is_served_only_with_a_warning(world, monkeypatch, capsys, host, warned):
    # uvicorn itself is left out here (binding every interface in a test is not wanted); what is checked is
    # what `serve` tells the operator and hands to uvicorn.
    import uvicorn

    from greenlight.cli.serve import serve

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, log_level: served.update(host=host, port=port))
    serve(host=host, port=8611, executor=False, studio=world.studio.home)
    err = capsys.readouterr().err
    assert served == {"host": host, "port": 8611}
    assert ("warning: listening on 0.0.0.0, not loopback" in err) is warned


def test_a_port_in_use_is_one_line_exit_2_before_the_executor_starts(world, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
        done = subprocess.run([sys.executable, "-m", "greenlight", "serve", "--studio", str(world.studio.home),
                               "--port", str(port)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and f"127.0.0.1:{port}" in done.stderr
    assert "in use" in done.stderr and "--port" in done.stderr and "executor" not in done.stdout
