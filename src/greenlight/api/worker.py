"""The one executor that runs beside the service: it picks up queued jobs as they arrive, until stopped.

It is the same ``LocalExecutor`` as `greenlight jobs run`, in a thread of the `greenlight serve` process, with
a studio of its own (its own database connections and face models). Several executors may share a studio
(leases keep them apart), so a `jobs run` elsewhere is harmless. A job still running when the service stops
keeps its lease until the process ends; the next executor then runs it again from the start.
"""

from __future__ import annotations

import logging
import threading

from greenlight.api.progress import Board
from greenlight.domain import JobState
from greenlight.errors import InvalidTransition
from greenlight.runtime.studio import Studio

log = logging.getLogger("greenlight.executor")
POLL_SECONDS = 1.0


class QueueWorker:
    """Runs every queued job, oldest first, polling for new ones; reports progress on ``board``."""

    def __init__(self, studio: Studio, board: Board, poll: float = POLL_SECONDS) -> None:
        self.studio, self.board, self.poll = studio, board, poll
        self.current: str | None = None  # the job running now, if any
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="greenlight-executor", daemon=True)

    def start(self) -> None:
        """Start running queued jobs in the background."""
        self._thread.start()

    def stop(self, wait: float | None = None) -> bool:
        """Take no new job; wait (up to ``wait`` seconds, or for ever) for the running one. True once stopped."""
        self._stop.set()
        self._thread.join(wait)
        return not self._thread.is_alive()

    def _loop(self) -> None:
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
        try:
            job = executor.run(job_id, self.board.reporter(job_id))
            log.info("job %s: %s", job.id, job.state.value)
        except InvalidTransition:
            pass  # cancelled meanwhile, or another executor took it
        except Exception:  # an engine bug: the executor has failed the job; keep serving the others
            log.exception("job %s failed in its engine", job_id)
        finally:
            self.current = None
            self.board.forget(job_id)
