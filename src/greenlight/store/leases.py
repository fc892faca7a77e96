"""Job leases: one executor at a time owns a job, for a while; a lease that runs out means it died."""

from __future__ import annotations

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


def held(session: Session, now: float) -> set[str]:
    """Ids of jobs some executor holds a live lease on."""
    stmt = select(_jobs.c.id).where(and_(_jobs.c.lease_owner.is_not(None), _jobs.c.lease_until >= now))
    return set(session.scalars(stmt))
