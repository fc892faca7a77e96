"""What one talent may see: the jobs that show them, and nothing of anyone else's.

A job shows a talent when the talent is the one it alters (``talent_id``), when a guard decision about
it names them (their face identified in an input or an output, or their name in its text: a reason's
subject, or the grant its evidence cites), when it relies on one of their grants, or when it metered
use of them. The talent portal lists exactly ``jobs_showing``; a veto is allowed only where
``shows_talent`` holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from greenlight.domain import Decision, Job
from greenlight.store.registry import Registry


def shows_talent(registry: Registry, job: Job, talent_id: str) -> bool:
    """Whether ``job`` shows the talent ``talent_id`` (see the module for what counts)."""
    owners = {g.id: g.talent_id for g in registry.grants()}
    return talent_id in talent_shown(job, registry.decisions(subject=job.id), owners)


def jobs_showing(registry: Registry, talent_id: str) -> list[Job]:
    """Every job that shows the talent ``talent_id``, oldest first; jobs that show only others are left out."""
    owners = {g.id: g.talent_id for g in registry.grants()}
    by_job: dict[str, list[Decision]] = {}
    for decision in registry.decisions():
        by_job.setdefault(decision.subject, []).append(decision)
    return [j for j in registry.jobs() if talent_id in talent_shown(j, by_job.get(j.id, ()), owners)]


def talent_shown(job: Job, decisions: Iterable[Decision], grant_owners: Mapping[str, str]) -> set[str]:
    """The ids of every talent (or protected person) ``job`` shows, given its decisions and who holds each grant."""
    shown = {u.talent_id for u in job.usage}
    shown |= {grant_owners[g] for g in job.grant_ids if g in grant_owners}
    target = job.params.get("talent_id")
    if isinstance(target, str) and target:
        shown.add(target)
    for decision in decisions:
        for reason in decision.reasons:
            if reason.subject_id:
                shown.add(reason.subject_id)
            grant_id = reason.evidence.get("grant_id")
            if isinstance(grant_id, str) and grant_id in grant_owners:
                shown.add(grant_owners[grant_id])
    return shown
