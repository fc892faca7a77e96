"""What talent is owed for approved use: each grant's terms applied to the metered use. Pure arithmetic, no I/O.

Money is ``Decimal`` to the cent, rounded half up, and never added across currencies. A per-second or
per-image grant is owed its rate times what each approved job metered (each job's amount rounded to
the cent, as its approval said); a flat grant is owed its fee once, however many jobs use it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from greenlight.domain.consent import ConsentGrant, GrantState, RateUnit
from greenlight.domain.job import Job, JobState, Usage

CENT = Decimal("0.01")
_METERS = {RateUnit.PER_SECOND: {"video"}, RateUnit.PER_IMAGE: {"image"}}


def meters(unit: RateUnit, media: str) -> bool:
    """Whether a grant paid in ``unit`` can meter an output of ``media`` (``"image"`` or ``"video"``).

    Seconds are counted on video, images on stills; a flat fee meters anything.
    """
    return unit is RateUnit.FLAT or media in _METERS[unit]


def counted(job: Job, grant: ConsentGrant, delivered: Collection[str]) -> bool:
    """Whether ``job``'s use under ``grant`` is owed (``delivered`` holds the ids of the jobs exported or downloaded).

    Use delivered while the grant was live is owed, whatever happened to the job or the grant since. Use
    approved but not delivered is owed while the job stays approved and the grant is not revoked (a suspended
    grant may resume; a revoked one never covers the delivery, so nothing of it is used).
    """
    if job.id in delivered:
        return job.state in (JobState.APPROVED, JobState.BLOCKED)
    return job.state is JobState.APPROVED and grant.state is not GrantState.REVOKED


def owed(usage: Usage, grant: ConsentGrant) -> Decimal:
    """The metered quantity times the grant's rate, to the cent (a flat fee is owed once)."""
    quantity = Decimal(1) if grant.compensation.unit is RateUnit.FLAT else Decimal(str(usage.quantity))
    return (quantity * grant.compensation.rate).quantize(CENT, rounding=ROUND_HALF_UP)


def owed_plain(usage: Usage, grant: ConsentGrant | None) -> dict[str, str | None]:
    """The JSON form of what one usage owes: amount (a decimal string, None when unknown) and currency."""
    if grant is None:
        return {"grant_id": usage.grant_id, "amount": None, "currency": None, "rate": None, "unit": usage.unit}
    return {"grant_id": grant.id, "amount": str(owed(usage, grant)), "currency": grant.compensation.currency,
            "rate": str(grant.compensation.rate), "unit": grant.compensation.unit.value}


@dataclass(frozen=True)
class UsageLine:
    """The approved use of one talent in one production under one grant, and what it owes.

    ``quantity`` is seconds of video, images, or (flat) the number of approved jobs; ``jobs`` the jobs
    counted. A flat fee is on the line of the production where the grant was first used; its other
    lines say the uses and owe nothing more.
    """

    SCHEMA = "UsageLine.1"
    talent_id: str
    talent_name: str
    production_id: str
    production_code: str
    grant_id: str
    unit: str  # a RateUnit value
    quantity: Decimal
    rate: Decimal
    currency: str
    owed: Decimal
    jobs: int


@dataclass(frozen=True)
class UsageTotal:
    """What one talent is owed in one currency, over the lines of a report."""

    SCHEMA = "UsageTotal.1"
    talent_id: str
    talent_name: str
    currency: str
    owed: Decimal


def _cell(text: str) -> str:
    """A name as a spreadsheet shows it, never as a formula: ``=HYPERLINK(…)`` becomes ``'=HYPERLINK(…)``."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_COLUMNS = ("talent_id", "talent", "production_id", "production", "grant_id", "unit", "quantity", "rate",
               "currency", "owed", "jobs")


@dataclass(frozen=True)
class UsageReport:
    """Usage and compensation: one line per talent × production × grant, totals per talent and currency."""

    SCHEMA = "UsageReport.1"
    lines: tuple[UsageLine, ...]
    totals: tuple[UsageTotal, ...]

    def to_csv(self) -> str:
        """The lines as CSV with a header row (``CSV_COLUMNS``); amounts as plain decimals."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for line in self.lines:
            writer.writerow((line.talent_id, _cell(line.talent_name), line.production_id, _cell(line.production_code),
                             line.grant_id, line.unit, line.quantity, line.rate, line.currency, line.owed, line.jobs))
        return out.getvalue()

    def to_plain(self) -> dict[str, Any]:
        """JSON-ready data: ``lines`` and ``totals``, decimals as strings."""
        from greenlight.domain.serial import to_plain

        return {"lines": [to_plain(line) for line in self.lines], "totals": [to_plain(t) for t in self.totals]}


def usage_report(
    jobs: Iterable[Job],
    grants: Mapping[str, ConsentGrant],
    talent_names: Mapping[str, str],
    production_codes: Mapping[str, str],
    delivered: Collection[str] = frozenset(),
) -> UsageReport:
    """The report over every job in ``jobs`` whose use is owed (see ``counted``): a job whose outputs left the
    studio while its consent was live stays owed when it is blocked later (its grant withdrawn, a second export
    refused).

    Args:
        jobs: the jobs to meter, oldest first (a flat fee goes on its grant's first use).
        grants: every grant a usage may be under, by id.
        talent_names: talent id to name; production_codes: production id to code.
        delivered: the ids of the jobs whose outputs were exported or downloaded.

    Raises:
        KeyError: a usage names a grant missing from ``grants`` (grants are never deleted).
    """
    sums: dict[tuple[str, str, str], list[Any]] = {}  # (talent, production, grant) -> [quantity, owed, jobs]
    flat_paid: set[str] = set()
    for job in jobs:
        for usage in job.usage:
            grant = grants[usage.grant_id]
            if not counted(job, grant, delivered):
                continue
            entry = sums.setdefault((usage.talent_id, job.production_id, grant.id), [Decimal(0), Decimal(0), 0])
            flat = grant.compensation.unit is RateUnit.FLAT
            entry[0] += Decimal(1) if flat else Decimal(str(usage.quantity))
            if not (flat and grant.id in flat_paid):
                entry[1] += owed(usage, grant)
            if flat:
                flat_paid.add(grant.id)
            entry[2] += 1
    lines = tuple(_line(key, value, grants[key[2]], talent_names, production_codes) for key, value in sums.items())
    return report_of(lines)


def report_of(lines: Iterable[UsageLine]) -> UsageReport:
    """A report of these lines (sorted by talent, production, grant) with their totals per talent and currency."""
    lines = tuple(sorted(lines, key=lambda x: (x.talent_name.casefold(), x.production_code, x.grant_id)))
    totals: dict[tuple[str, str], Decimal] = {}
    for line in lines:
        key = (line.talent_id, line.currency)
        totals[key] = totals.get(key, Decimal(0)) + line.owed
    names = {line.talent_id: line.talent_name for line in lines}
    return UsageReport(lines, tuple(UsageTotal(t, names[t], c, owed.quantize(CENT)) for (t, c), owed in totals.items()))


def _line(key: tuple[str, str, str], value: list[Any], grant: ConsentGrant, talent_names: Mapping[str, str],
          production_codes: Mapping[str, str]) -> UsageLine:
    talent_id, production_id, grant_id = key
    quantity, amount, jobs = value
    terms = grant.compensation
    return UsageLine(talent_id, talent_names.get(talent_id, talent_id), production_id,
                     production_codes.get(production_id, production_id), grant_id, terms.unit.value,
                     _plain_number(quantity), terms.rate, terms.currency,
                     amount.quantize(CENT), jobs)


def _plain_number(quantity: Decimal) -> Decimal:
    """``12`` rather than ``12.0`` or ``1.2E+1``; ``4.972`` as it is."""
    whole = quantity.to_integral_value()
    return whole.quantize(Decimal(1)) if quantity == whole else quantity.normalize()
