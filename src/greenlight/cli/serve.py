"""`greenlight serve`: the studio service (REST API under /api/v1) with its executor beside it."""

from __future__ import annotations

import ipaddress
import socket
from typing import Annotated

import typer

from greenlight.cli.common import StudioOption, console, console_err, open_studio
from greenlight.errors import InvalidInput


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_listenable(host: str, port: int) -> None:
    """Refuse, before the executor starts, an address this machine cannot listen on (a port in use, a host
    that is not one of its addresses); uvicorn would only log it and exit 3, which reads as "escalate".

    Raises:
        InvalidInput: naming the address and why.
    """
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:  # bound, never listening: nothing can connect
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds, so TIME_WAIT is no bar
            probe.bind((host, port))
    except OSError as error:
        raise InvalidInput(f"cannot listen on {host}:{port}: {error.strerror or error}",
                           "pass another --port (or --host), or stop what serves there") from None


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default: this machine only).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8600,
    executor: Annotated[bool, typer.Option(help="Run queued jobs in this process (--no-executor: another "
                                                "process runs `greenlight jobs run`).")] = True,
    studio: StudioOption = None,
) -> None:
    """Serve the studio over HTTP: the REST API (docs at /api/v1/docs) and, beside it, the executor that
    runs submitted jobs. Ctrl-C stops it: the job running then is finished first (Ctrl-C again to leave it;
    the next executor runs it again)."""
    import uvicorn

    from greenlight.api.app import create_app
    from greenlight.api.progress import Board
    from greenlight.api.worker import ExecutorProcess

    home = open_studio(studio)
    check_listenable(host, port)
    app = create_app(home.home)
    app.state.progress = Board()
    if not is_loopback(host):
        console_err.print(f"warning: listening on {host}, not loopback: anyone who can reach this machine can try "
                          "tokens against it; put TLS in front of it (a reverse proxy) before it leaves this host")
    worker = ExecutorProcess(home.home, app.state.progress) if executor else None
    if worker is not None:
        worker.start()
    console.print(f"serving {home.home} on http://{host}:{port}/api/v1 (docs: /api/v1/docs); "
                  f"executor {'running' if worker else 'off'}")
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        if worker is not None:
            _stop(worker)


def _stop(worker) -> None:
    if worker.current:
        console.print(f"waiting for job {worker.current} to finish (Ctrl-C again to leave it: the next executor "
                      "runs it again)")
    try:
        worker.stop()
    except KeyboardInterrupt:
        worker.abandon()
        console_err.print("left the running job: the next executor runs it again")
    console.print("executor stopped")
