"""The one executor that runs beside the service: it picks up queued jobs as they arrive, until stopped.

It is the same ``LocalExecutor`` as `greenlight jobs run`. `greenlight serve` runs it in a child process
(``ExecutorProcess``), so an engine busy on frames never holds up a request; its progress comes back over a
queue onto the service's ``Board``. ``QueueWorker`` is the loop itself, also usable in a thread. Several
executors may share a studio (leases keep them apart), so a `jobs run` elsewhere is harmless. A job left
running when the executor is killed keeps its lease until the process is gone; the next executor then runs
it again from the start.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from pathlib import Path

from greenlight.api.progress import Board
from greenlight.domain import JobState
from greenlight.errors import InvalidTransition
from greenlight.runtime.studio import Studio

log = logging.getLogger("greenlight.executor")
POLL_SECONDS = 1.0
Reporter = Callable[[str], Callable[[float, str], None]]  # job id → that job's progress callback


class QueueWorker:
    """Runs every queued job, oldest first, polling for new ones, until ``stop`` is set."""

    def __init__(self, studio: Studio, reporter: Reporter | Board, poll: float = POLL_SECONDS,
                 stop: threading.Event | None = None) -> None:
        self.studio, self.poll = studio, poll
        self.reporter = reporter.reporter if isinstance(reporter, Board) else reporter
        self.current: str | None = None  # the job running now, if any
        self._stop = stop or threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run the loop in a background thread."""
        self._thread = threading.Thread(target=self.run_forever, name="greenlight-executor", daemon=True)
        self._thread.start()

    def stop(self, wait: float | None = None) -> bool:
        """Take no new job; wait (up to ``wait`` seconds, or for ever) for the running one. True once stopped."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(wait)
        return self._thread is None or not self._thread.is_alive()

    def run_forever(self) -> None:
        """Recover abandoned jobs and run the queue, again every ``poll`` seconds, until stopped."""
        from greenlight.runtime.executor import LocalExecutor

        executor = LocalExecutor(self.studio)
        while not self._stop.is_set():
            try:
                executor.recover()
                with self.studio.transaction() as tx:
                    queued = [j.id for j in tx.registry.jobs(JobState.QUEUED.value)]
                for job_id in queued:
                    if self._stop.is_set():
                        break
                    self._run(executor, job_id)
            except Exception:  # the service must outlive one bad poll (a database blip); it is logged
                log.exception("the executor could not read the queue")
            self._stop.wait(self.poll)

    def _run(self, executor, job_id: str) -> None:
        self.current = job_id
        report = self.reporter(job_id)
        try:
            job = executor.run(job_id, report)
            log.info("job %s: %s", job.id, job.state.value)
        except InvalidTransition:
            pass  # cancelled meanwhile, or another executor took it
        except Exception:  # an engine bug: the executor has failed the job; keep serving the others
            log.exception("job %s failed in its engine", job_id)
        finally:
            self.current = None
            report(-1.0, "")  # the job is off the board


class ExecutorProcess:
    """``QueueWorker`` in a child process of the service, its progress fed onto ``board``."""

    def __init__(self, home: Path, board: Board, poll: float = POLL_SECONDS) -> None:
        context = multiprocessing.get_context("spawn")  # a clean interpreter: no copy of the server's threads
        self.board = board
        self.current: str | None = None
        self._stop = context.Event()
        self._messages = context.Queue()
        self._process = context.Process(target=_executor_main, args=(str(home), self._stop, self._messages, poll),
                                        name="greenlight-executor")
        self._reader = threading.Thread(target=self._read, name="greenlight-progress", daemon=True)

    def start(self) -> None:
        self._process.start()
        self._reader.start()

    def stop(self, wait: float | None = None) -> bool:
        """Take no new job; wait for the running one (up to ``wait`` seconds). True once the process ended."""
        self._stop.set()
        self._process.join(wait)
        stopped = not self._process.is_alive()
        if stopped:
            self._end_reader()
        return stopped

    def abandon(self) -> None:
        """End the process now, leaving its job to the next executor (its lease runs out, or its process is gone)."""
        self._process.terminate()
        self._process.join(10)
        self._end_reader()

    def _end_reader(self) -> None:
        # Wait for the reader to take the last message: a daemon thread still inside the queue's get() when the
        # interpreter exits prints a traceback after "executor stopped".
        self._messages.put(None)
        if self._reader.is_alive():
            self._reader.join(5)

    def _read(self) -> None:
        while (message := self._messages.get()) is not None:
            job_id, fraction, text = message
            if fraction < 0:
                self.current = None
                self.board.forget(job_id)
            else:
                self.current = job_id
                self.board.reporter(job_id)(fraction, text)


def _executor_main(home: str, stop, messages, poll: float) -> None:
    """The child process: ignore Ctrl-C (the service stops it through ``stop``) and run the queue."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The executor's own lines at INFO; libraries (Alembic opening the database, …) only when they warn.
    logging.basicConfig(level=logging.WARNING, format="executor: %(message)s")
    logging.getLogger("greenlight").setLevel(logging.INFO)

    def reporter(job_id: str):
        return lambda fraction, text: messages.put((job_id, fraction, text))

    QueueWorker(Studio.open(Path(home)), reporter, poll, stop).run_forever()
