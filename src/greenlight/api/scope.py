"""What a caller is shown of the records they may see: a talent representative sees nothing of other talent.

``runtime.visibility`` decides which jobs a caller sees at all; a job that shows two talents is seen by both
their representatives, so what it says about the other one (their metered use, their grants, the guards'
reasons naming them) is withheld here.
"""

from __future__ import annotations

from typing import Any

from greenlight.domain import Decision, Job, to_plain
from greenlight.domain.access import Caller, Role
from greenlight.errors import Forbidden
from greenlight.store.registry import Registry

WITHHELD = "about another person (withheld from a talent representative)"


def own_talent_only(who: Caller, talent_id: str, what: str) -> None:
    """Refuse a talent representative acting on ``what`` of a talent they do not represent.

    Raises:
        Forbidden: ``who`` is a talent rep for another talent.
    """
    if who.role is Role.TALENT_REP and talent_id != who.talent_id:
        raise Forbidden(f"{what} belongs to a talent this token does not represent",
                        "a talent representative acts for their own talent only")


def rep_talent(registry: Registry, who: Caller, named: str | None) -> str:
    """The talent id a talent rep's request is about: their own, whether or not they named it.

    Raises:
        Forbidden: they named any other talent, known to the studio or not (so a rep cannot learn who is).
    """
    from greenlight.domain import Talent
    from greenlight.store.registry import name_key

    own = registry.get(Talent, who.talent_id)
    if named is not None and named != own.id and name_key(named) not in {name_key(n) for n in own.names}:
        raise Forbidden(f"{named!r} is not the talent this token represents",
                        "a talent representative sees their own talent only")
    return own.id


def job_plain(registry: Registry, who: Caller, job: Job) -> dict[str, Any]:
    """The job as its JSON record, less what a talent rep may not see of other talent."""
    plain = to_plain(job)
    if who.role is not Role.TALENT_REP:
        return plain
    plain["usage"] = [u for u in plain["usage"] if u["talent_id"] == who.talent_id]
    plain["grant_ids"] = [g for g in job.grant_ids if registry.grant(g).talent_id == who.talent_id]
    plain["vetoes"] = [v for v in plain.get("vetoes", []) if v["talent_id"] == who.talent_id]
    if plain["params"].get("talent_id") not in (None, who.talent_id):
        plain["params"]["talent_id"] = None
    plain["history"] = [step_plain(who, step) for step in plain["history"]]
    plain["approvals"] = [{**a, "note": WITHHELD} for a in plain.get("approvals", [])]
    return plain


def step_plain(who: Caller, step: dict[str, Any]) -> dict[str, Any]:
    """A step of a job's history as JSON; to a talent rep without its note, which the executor fills with the
    guards' summary of every person in the picture (the job page hides it too)."""
    if who.role is not Role.TALENT_REP or not step.get("note"):
        return step
    return {**step, "note": WITHHELD}


def decision_plain(who: Caller, decision: Decision, stage: str | None) -> dict[str, Any]:
    """A guard decision as JSON with the stage it was made at; reasons about other people withheld from a rep."""
    plain = {**to_plain(decision), "stage": stage}
    if who.role is Role.TALENT_REP:
        plain["reasons"] = [r if r.get("subject_id") in (None, who.talent_id) else
                            {"verdict": r["verdict"], "code": r["code"], "message": WITHHELD, "subject_id": None}
                            for r in plain["reasons"]]
    return plain
