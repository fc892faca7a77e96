"""Reports read from the studio: usage and compensation per talent, production and grant."""

from __future__ import annotations

from greenlight.domain import JobState, Production, ProtectedPerson, Talent
from greenlight.domain.compensation import UsageReport, report_of
from greenlight.domain.compensation import usage_report as report_over
from greenlight.runtime.studio import Studio


def usage_report(studio: Studio, production: str | None = None, talent: str | None = None) -> UsageReport:
    """What every talent is owed for approved use, one line per talent × production × grant.

    Only approved jobs count (exported ones stay approved); rejected, blocked or still running jobs
    count nothing. A flat fee is owed once per grant, on the production where it was first used, so a
    report narrowed to another production shows those uses owing nothing more.

    Args:
        production: only this production (code or id).
        talent: only this talent (name or id).

    Raises:
        NotFound: no such production or talent.
    """
    with studio.transaction() as tx:
        wanted_production = tx.registry.production(production).id if production else None
        wanted_talent = tx.registry.talent(talent).id if talent else None
        jobs = tx.registry.jobs(JobState.APPROVED.value)
        grants = {g.id: g for g in tx.registry.grants()}
        names = {p.id: p.name for p in tx.registry.list(ProtectedPerson)}
        names |= {t.id: t.name for t in tx.registry.list(Talent)}
        codes = {p.id: p.code for p in tx.registry.list(Production)}
    whole = report_over(jobs, grants, names, codes)
    return report_of(line for line in whole.lines
                     if wanted_production in (None, line.production_id) and wanted_talent in (None, line.talent_id))
