"""Job leases: one executor at a time owns a job, for a while; a lease that runs out means it died."""

from __future__ import annotations

import os
import socket
import uuid

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from greenlight.store import tables

_jobs = tables.jobs


def claim(session: Session, job_id: str, owner: str, now: float, seconds: float) -> bool:
    """Take the lease on a job if nobody holds a live one (or ``owner`` already does)."""
    free = or_(_jobs.c.lease_owner.is_(None), _jobs.c.lease_until < now, _jobs.c.lease_owner == owner)
    stmt = update(_jobs).where(and_(_jobs.c.id == job_id, free)).values(lease_owner=owner, lease_until=now + seconds)
    return session.execute(stmt).rowcount == 1


def renew(session: Session, job_id: str, owner: str, now: float, seconds: float) -> bool:
    """Extend a lease ``owner`` holds; False if it was lost (expired and taken by another executor)."""
    stmt = (
        update(_jobs)
        .where(and_(_jobs.c.id == job_id, _jobs.c.lease_owner == owner))
        .values(lease_until=now + seconds)
    )
    return session.execute(stmt).rowcount == 1


def release(session: Session, job_id: str, owner: str) -> None:
    stmt = update(_jobs).where(and_(_jobs.c.id == job_id, _jobs.c.lease_owner == owner))
    session.execute(stmt.values(lease_owner=None, lease_until=None))


def abandoned(session: Session, states: tuple[str, ...], now: float) -> list[str]:
    """Ids of jobs in ``states`` whose executor is gone: no lease, or one that ran out."""
    stmt = select(_jobs.c.id).where(
        and_(_jobs.c.state.in_(states), or_(_jobs.c.lease_until.is_(None), _jobs.c.lease_until < now))
    )
    return list(session.scalars(stmt.order_by(_jobs.c.n)))


def forfeit(session: Session, job_id: str) -> None:
    """Drop whatever lease a job has (its holder is known to be dead)."""
    session.execute(update(_jobs).where(_jobs.c.id == job_id).values(lease_owner=None, lease_until=None))


def held(session: Session, now: float) -> set[str]:
    """Ids of jobs a living executor holds a lease on (one on this machine whose process is gone holds none)."""
    stmt = select(_jobs.c.id, _jobs.c.lease_owner).where(
        and_(_jobs.c.lease_owner.is_not(None), _jobs.c.lease_until >= now))
    return {job_id for job_id, owner in session.execute(stmt) if owner_alive(owner)}


def dead_holders(session: Session, states: tuple[str, ...], now: float) -> list[str]:
    """Ids of jobs in ``states`` whose unexpired lease belongs to a process on this machine that is gone."""
    stmt = select(_jobs.c.id, _jobs.c.lease_owner).where(
        and_(_jobs.c.state.in_(states), _jobs.c.lease_owner.is_not(None), _jobs.c.lease_until >= now))
    return [job_id for job_id, owner in session.execute(stmt.order_by(_jobs.c.n)) if not owner_alive(owner)]


def owner(pid: int | None = None) -> str:
    """A lease owner's name, ``host:pid:tag``: another process on this host can tell whether it lives."""
    return f"{socket.gethostname()}:{pid or os.getpid()}:{uuid.uuid4().hex[:6]}"


def owner_alive(name: str) -> bool:
    """False only for an owner on this host whose process no longer exists; True when it cannot tell."""
    host, _, rest = name.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
