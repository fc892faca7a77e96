"""Protected persons and works: ``/protected`` (never generated unless a grant names them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, UploadFile
from pydantic import BaseModel, Field

from greenlight.api.auth import Home, Who
from greenlight.domain import ProtectedPerson, ProtectedWork, to_plain

router = APIRouter(tags=["protected"])


class PersonForm(BaseModel):
    """A public or historical figure; photos let the guards catch the face too."""

    name: str
    aliases: list[str] = Field(default_factory=list, description="Other names, other scripts (奥巴马).")
    note: str = ""
    photos: list[UploadFile] = Field(default_factory=list, description="Photos of the person, one face each.")


class WorkRequest(BaseModel):
    """A title the studio does not own, with its character names."""

    title: str
    characters: list[str] = Field(default_factory=list)
    owner: str = ""


@router.get("/protected", name="protected.list")
def list_protected(who: Who, studio: Home) -> dict[str, list[dict[str, Any]]]:
    """Every protected person and work."""
    with studio.transaction() as tx:
        return {"persons": [to_plain(p) for p in tx.registry.list(ProtectedPerson)],
                "works": [to_plain(w) for w in tx.registry.list(ProtectedWork)]}


@router.post("/protected/persons", name="protected.add_person", status_code=201)
def add_person(form: Annotated[PersonForm, Form()], who: Who, studio: Home) -> dict[str, Any]:
    """Protect a person by name and, from photos, by face."""
    from greenlight.api.uploads import received
    from greenlight.runtime.registry import protect_person

    with received(studio, form.photos) as paths:
        return to_plain(protect_person(studio, form.name, who.actor, form.aliases, form.note, paths))


@router.post("/protected/works", name="protected.add_work", status_code=201)
def add_work(body: WorkRequest, who: Who, studio: Home) -> dict[str, Any]:
    """Protect a title and its characters."""
    from greenlight.runtime.registry import protect_work

    return to_plain(protect_work(studio, body.title, who.actor, body.characters, body.owner))
