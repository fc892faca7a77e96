"""Reports read from the studio: usage and compensation per talent, production and grant."""

from __future__ import annotations

from greenlight.domain import ConsentGrant, Job, Production, ProtectedPerson
from greenlight.domain.compensation import UsageReport, report_of
from greenlight.domain.compensation import usage_report as report_over
from greenlight.errors import LedgerError
from greenlight.runtime.delivery import delivered_jobs
from greenlight.runtime.jobs import ledgered_jobs
from greenlight.runtime.scanning import ledgered_talent
from greenlight.runtime.studio import RESTORE, Studio, Transaction


def usage_report(studio: Studio, production: str | None = None, talent: str | None = None) -> UsageReport:
    """What every talent is owed for approved use, one line per talent × production × grant.

    Approved jobs count, and so does a job blocked after its outputs were delivered (exported or downloaded
    while its consent was live); rejected, otherwise blocked or still running jobs count nothing. A flat fee
    is owed once per grant, on the production where it was first used, so a report narrowed to another
    production shows those uses owing nothing more.

    Args:
        production: only this production (code or id).
        talent: only this talent (name or id).

    Jobs, grants, and the names and codes printed, are read as the ledger last recorded them, so an edited row
    cannot cut what is owed nor name someone else as owed it.

    Raises:
        NotFound: no such production or talent.
        LedgerError: a job's row is not what the ledger recorded, or a grant a use is metered under is missing.
    """
    with studio.transaction() as tx:
        wanted_production = tx.production(production).id if production else None
        wanted_talent = tx.talent(talent).id if talent else None
        jobs = ledgered_jobs(tx)  # every state: report_over counts the approved ones
        grants = _grants_metered(tx, jobs)
        names = {p.id: p.name for p in tx.ledgered_list(ProtectedPerson, "protected.person.added")}
        names |= {t.id: t.name for t in ledgered_talent(tx)}
        codes = {p.id: p.code for p in tx.ledgered_list(Production, "production.added")}
        delivered = delivered_jobs(tx)
    whole = report_over(jobs, grants, names, codes, delivered)
    return report_of(line for line in whole.lines
                     if wanted_production in (None, line.production_id) and wanted_talent in (None, line.talent_id))


def _grants_metered(tx: Transaction, jobs: list[Job]) -> dict[str, ConsentGrant]:
    """Every grant as the ledger last recorded it (the guards' reading), each one a use is metered under included.

    Raises:
        LedgerError: a grant a job's use is metered under has no row the ledger recorded (deleted behind its back).
    """
    from greenlight.runtime.scanning import consent_grants

    grants = {g.id: g for g in consent_grants(tx)}
    for job in jobs:
        missing = next((u.grant_id for u in job.usage if u.grant_id not in grants), None)
        if missing is not None:
            raise LedgerError(f"grant {missing}, which job {job.id}'s use is metered under, is missing from the "
                              "database or was never recorded by the ledger", RESTORE)
    return grants
