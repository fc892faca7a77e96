"""Talent and their enrolled likeness: ``/talent``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel, Field

from greenlight.api.auth import Home, Who
from greenlight.api.scope import own_talent_only
from greenlight.domain import Talent, to_plain
from greenlight.domain.access import Role

router = APIRouter(tags=["talent"])


class TalentRequest(BaseModel):
    name: str
    aliases: list[str] = Field(default_factory=list, description="Other names the talent is known by.")
    deceased: bool = Field(False, description="The performer has died; the estate consents.")
    estate: str | None = Field(None, description="The estate that consents for a deceased performer.")
    representative: str | None = Field(None, description="Agent or union representative.")


@router.get("/talent", name="talent.list")
def list_talent(who: Who, studio: Home) -> list[dict[str, Any]]:
    """Every performer with their enrolled photo and grant counts (a talent rep: their own talent only)."""
    with studio.transaction() as tx:
        people = tx.registry.list(Talent)
        refs, grants = tx.registry.references(), tx.registry.grants()
    if who.role is Role.TALENT_REP:
        people = [t for t in people if t.id == who.talent_id]
    return [{**to_plain(t), "photos": sum(r.subject_id == t.id for r in refs),
             "grants": sum(g.talent_id == t.id for g in grants)} for t in people]


@router.post("/talent", name="talent.add", status_code=201)
def add_talent(body: TalentRequest, who: Who, studio: Home) -> dict[str, Any]:
    """Register a performer (a deceased one names the estate)."""
    from greenlight.runtime.registry import add_talent as add

    return to_plain(add(studio, body.name, who.actor, body.aliases, body.deceased, body.representative, body.estate))


@router.post("/talent/{talent}/photos", name="talent.enrol", status_code=201)
def enrol(talent: str, photos: Annotated[list[UploadFile], File(description="Reference photos, one face each.")],
          who: Who, studio: Home) -> dict[str, Any]:
    """Enrol a performer's likeness from reference photos; one bad photo enrols none."""
    from greenlight.api.uploads import received
    from greenlight.runtime.registry import enrol as enrol_photos

    with studio.transaction() as tx:
        person = tx.talent(talent)
    own_talent_only(who, person.id, f"talent {person.name}")
    with received(studio, photos) as paths:
        references = enrol_photos(studio, person, paths, who.actor)
    return {"talent_id": person.id, "enrolled": [r.photo_sha256 for r in references]}
