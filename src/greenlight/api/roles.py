"""Which roles each route of the service admits: one table, read by every route and iterated by the tests.

Each route is named (``name="jobs.submit"``) and takes its caller through ``auth.Who``, which looks the name
up here. An admin is admitted everywhere; a route missing from the table admits admins only. Admission is
the first check: the talent-rep scope (their own talent only), an artist's own jobs and the approved-only
download rule are checked after it, in ``runtime.visibility`` and ``api.scope``.
"""

from __future__ import annotations

from greenlight.domain.access import Role
from greenlight.runtime.visibility import DOWNLOAD

ADMIN, PRODUCER, ARTIST, REVIEWER, LEGAL, TALENT_REP = (Role.ADMIN, Role.PRODUCER, Role.ARTIST, Role.REVIEWER,
                                                        Role.LEGAL, Role.TALENT_REP)
EVERYONE = frozenset(Role)
ADMIN_ONLY: frozenset[Role] = frozenset({ADMIN})


def _roles(*roles: Role) -> frozenset[Role]:
    return frozenset({ADMIN, *roles})


ACCESS: dict[str, frozenset[Role]] = {
    "whoami": EVERYONE,
    "tokens.list": ADMIN_ONLY,
    "tokens.create": ADMIN_ONLY,
    "tokens.revoke": ADMIN_ONLY,
    "productions.list": EVERYONE,
    "productions.add": _roles(PRODUCER),
    "talent.list": EVERYONE,  # a talent rep is shown their own talent only
    "talent.add": _roles(PRODUCER),
    "talent.enrol": _roles(PRODUCER),
    "consent.list": _roles(PRODUCER, LEGAL, REVIEWER, TALENT_REP),  # a talent rep: their talent's grants
    "consent.grant": _roles(PRODUCER, LEGAL),
    "consent.suspend": _roles(PRODUCER, LEGAL, TALENT_REP),  # a talent rep: their talent's grants only
    "consent.resume": _roles(PRODUCER, LEGAL),
    "consent.revoke": _roles(PRODUCER, LEGAL, TALENT_REP),
    "protected.list": _roles(PRODUCER, ARTIST, REVIEWER, LEGAL),
    "protected.add_person": _roles(PRODUCER, LEGAL),
    "protected.add_work": _roles(PRODUCER, LEGAL),
    "engines.list": _roles(PRODUCER, ARTIST),
    "jobs.submit": _roles(PRODUCER, ARTIST),
    "jobs.list": EVERYONE,  # each sees the jobs runtime.visibility shows them
    "jobs.show": EVERYONE,
    "jobs.events": EVERYONE,
    "jobs.cancel": _roles(PRODUCER, ARTIST),  # an artist: their own jobs
    "jobs.clear": _roles(LEGAL),  # the written approval must be legal's: an admin's is refused by the runtime
    "jobs.veto": _roles(TALENT_REP),  # a talent rep: drafts showing their own talent; an admin names the talent
    "review.queue": _roles(REVIEWER, PRODUCER, LEGAL, TALENT_REP),
    "review.approve": _roles(REVIEWER),
    "review.reject": _roles(REVIEWER),
    "assets.preview": EVERYONE,  # drafts of the jobs the caller can see
    "assets.download": frozenset(DOWNLOAD),  # approved outputs only, of the jobs the caller can see
    "verify": EVERYONE,  # the asset and job are named only to those who can see the job
    "ledger.verify": _roles(PRODUCER, REVIEWER, LEGAL),
    "ledger.export": _roles(LEGAL),  # it names talent and every decision about them
    "reports.usage": _roles(PRODUCER, LEGAL, TALENT_REP),  # a talent rep: their own talent's use only
}


def admitted(route: str, role: Role) -> bool:
    """Whether ``role`` may call the route named ``route`` (admins always; unknown routes nobody else)."""
    return role is ADMIN or role in ACCESS.get(route, ADMIN_ONLY)
