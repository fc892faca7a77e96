"""Who sees which jobs and outputs through the studio service: one rule set for the API and the web UI.

Admins, producers, reviewers and legal see every job of the studio; an artist sees the jobs they
submitted; a talent representative sees exactly the jobs that show their talent (a face identified in an
input or output, a grant or metered use of theirs, a de-aging target) and nothing of any other talent.
Only approved outputs can be downloaded, and only by the roles that deliver or own them.
"""

from __future__ import annotations

from greenlight.domain import Job, JobState
from greenlight.domain.access import Caller, Role
from greenlight.errors import Forbidden
from greenlight.store.registry import Registry

SEE_ALL = frozenset({Role.ADMIN, Role.PRODUCER, Role.REVIEWER, Role.LEGAL})
DOWNLOAD = frozenset({Role.ADMIN, Role.PRODUCER, Role.ARTIST, Role.TALENT_REP})
DOWNLOADABLE = frozenset({JobState.APPROVED})


def talent_shown(registry: Registry, job: Job) -> set[str]:
    """The ids of every talent a job shows or relies on (``runtime.talentview``'s rule, the talent portal's)."""
    from greenlight.runtime.talentview import talent_shown as shown_by

    owners = {g.id: g.talent_id for g in registry.grants()}
    return shown_by(job, registry.decisions(subject=job.id), owners)


def can_see(registry: Registry, who: Caller, job: Job) -> bool:
    """Whether ``who`` may see this job, its decisions and its drafts."""
    if who.role in SEE_ALL:
        return True
    if who.role is Role.ARTIST:
        return job.requested_by == who.actor
    return who.role is Role.TALENT_REP and who.talent_id in talent_shown(registry, job)


def job_for(registry: Registry, who: Caller, job_id: str) -> Job:
    """The job, if ``who`` may see it.

    Raises:
        NotFound: no such job.
        Forbidden: it is not one of theirs (another artist's, or it does not show their talent).
    """
    job = registry.get(Job, job_id)
    if not can_see(registry, who, job):
        raise Forbidden(f"job {job_id} is not one a {who.role.value} token can see", "ask the production for access")
    return job


def visible_jobs(registry: Registry, who: Caller, state: JobState | None = None) -> list[Job]:
    """Every job ``who`` may see (in one state, if given), oldest first."""
    from greenlight.runtime.talentview import jobs_showing

    if who.role is Role.TALENT_REP:  # grants and decisions read once for the whole list, not once per job
        return [job for job in jobs_showing(registry, who.talent_id or "") if state is None or job.state is state]
    jobs = registry.jobs(state.value if state else None)
    return [job for job in jobs if can_see(registry, who, job)]


def review_queue(registry: Registry, who: Caller) -> list[Job]:
    """The jobs waiting for a reviewer's decision that ``who`` may see."""
    return visible_jobs(registry, who, JobState.IN_REVIEW)


def check_download(registry: Registry, who: Caller, job: Job) -> None:
    """Refuse a download of ``job``'s outputs unless it is approved and ``who`` may take it.

    Raises:
        Forbidden: the role may not download, the job is not theirs, or it is not approved.
    """
    if who.role not in DOWNLOAD:
        raise Forbidden(f"a {who.role.value} token may not download outputs", "a producer or admin can")
    if not can_see(registry, who, job):
        raise Forbidden(f"job {job.id} is not one a {who.role.value} token can see", "ask the production for access")
    if job.state not in DOWNLOADABLE:
        raise Forbidden(f"job {job.id} is {job.state.value}: only approved outputs can be downloaded",
                        "a reviewer approves it first")
