"""The registry: domain records in and out of the database, within the caller's transaction.

One table per record class (``KINDS``); every record is stored as its canonical JSON, so reading one
back gives a record equal to the one written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Table, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from greenlight.domain import (
    Asset,
    ConsentGrant,
    Decision,
    Job,
    LikenessReference,
    Production,
    ProtectedPerson,
    ProtectedWork,
    Talent,
    canonical_json,
    from_plain,
)
from greenlight.domain.access import AccessToken
from greenlight.domain.model import GenerativeModel
from greenlight.errors import AlreadyExists, NotFound, StudioError
from greenlight.store import tables

R = TypeVar("R")


def name_key(name: str) -> str:
    """How names and codes are compared: without case, runs of spaces folded ("Jane  DOE" is "jane doe")."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Kind:
    """How one record class is stored: its table, its key columns, and words for messages."""

    table: Table
    label: str
    keys: Callable[[Any], dict[str, Any]]
    find_hint: str
    duplicate_hint: str = "use the one already there"


KINDS: dict[type, Kind] = {
    Production: Kind(
        tables.productions, "production", lambda r: {"code_key": name_key(r.code)},
        "list productions with `greenlight production list`", "choose another production code",
    ),
    Talent: Kind(
        tables.talent, "talent", lambda r: {"name_key": name_key(r.name)},
        "list talent with `greenlight talent list`", "each talent needs a distinct professional name",
    ),
    ProtectedPerson: Kind(
        tables.protected_persons, "protected person", lambda r: {"name_key": name_key(r.name)},
        "list protected persons with `greenlight protect list`",
    ),
    ProtectedWork: Kind(tables.protected_works, "protected work", lambda r: {}, "check the id"),
    LikenessReference: Kind(
        tables.likeness_references, "likeness reference",
        lambda r: {"subject_id": r.subject_id, "photo_sha256": r.photo_sha256},
        "check the id", "a reference photo enrols one likeness once; use another photo",
    ),
    ConsentGrant: Kind(
        tables.consent_grants, "consent grant",
        lambda r: {"talent_id": r.talent_id, "production_id": r.production_id, "state": r.state.value},
        "list grants with `greenlight consent list`",
    ),
    Decision: Kind(
        tables.decisions, "decision",
        lambda r: {"subject": r.subject, "production_id": r.production_id, "verdict": r.verdict.value},
        "check the id",
    ),
    Asset: Kind(
        tables.assets, "asset",
        lambda r: {"sha256": r.sha256, "path": r.path, "media_type": r.media_type, "size": r.size,
                   "job_id": r.job_id, "mark": r.mark},
        "check the hash or id",
    ),
    Job: Kind(
        tables.jobs, "job", lambda r: {"state": r.state.value, "production_id": r.production_id},
        "list jobs with `greenlight jobs list`",
    ),
    GenerativeModel: Kind(
        tables.models, "model", lambda r: {"name_key": name_key(r.name), "sha256": r.sha256},
        "list models with `greenlight models list`", "choose another model name",
    ),
    AccessToken: Kind(
        tables.access_tokens, "access token",
        lambda r: {"secret_sha256": r.secret_sha256, "talent_id": r.talent_id},
        "list tokens with `greenlight token list`",
    ),
}
# Key columns that hold a normalised copy of a record attribute: messages show the attribute.
_SHOWN_AS = {"code_key": "code", "name_key": "name"}


def kind_of(cls: type) -> Kind:
    """The storage description of a record class.

    Raises:
        TypeError: the class is not stored in the registry.
    """
    try:
        return KINDS[cls]
    except KeyError:
        raise TypeError(f"{cls.__name__} records are not stored in the registry") from None


class Registry:
    """Reads and writes records through ``session``; the caller's ``Database.session()`` commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: R) -> R:
        """Store a new record and return it.

        Raises:
            AlreadyExists: a record with the same id or unique key (code, name, photo, file) is stored.
            NotFound: the record points at a talent or production that is not stored.
        """
        kind = kind_of(type(record))
        self._write(kind, record, insert(kind.table).values(**_row(kind, record)), own_id=None)
        return record

    def update(self, record: R) -> R:
        """Replace the stored record with the same id (a grant after a state change) and return it.

        Raises:
            NotFound: no record of this class has that id (or it points at a missing record).
            AlreadyExists: the new version collides with another record's unique key.
        """
        kind = kind_of(type(record))
        stmt = update(kind.table).where(kind.table.c.id == record.id).values(**_row(kind, record))
        if self._write(kind, record, stmt, own_id=record.id).rowcount == 0:
            raise NotFound(f"no {kind.label} with id {record.id!r} to update", kind.find_hint)
        return record

    def get(self, cls: type[R], record_id: str) -> R:
        """The record of class ``cls`` with this id.

        Raises:
            NotFound: there is none.
        """
        kind = kind_of(cls)
        return self._one(cls, kind.table.c.id == record_id, f"no {kind.label} with id {record_id!r}")

    def list(self, cls: type[R]) -> list[R]:
        """Every record of class ``cls``, oldest first."""
        return self._many(cls)

    def production(self, code_or_id: str) -> Production:
        """The production with this code (any case) or id. Raises NotFound."""
        table = tables.productions
        where = or_(table.c.id == code_or_id, table.c.code_key == name_key(code_or_id))
        return self._one(Production, where, f"no production with code or id {code_or_id!r}")

    def talent(self, name_or_id: str) -> Talent:
        """The talent with this name (any case) or id. Raises NotFound."""
        table = tables.talent
        where = or_(table.c.id == name_or_id, table.c.name_key == name_key(name_or_id))
        return self._one(Talent, where, f"no talent named {name_or_id!r}")

    def protected_person(self, name_or_id: str) -> ProtectedPerson:
        """The protected person with this name (any case) or id. Raises NotFound."""
        table = tables.protected_persons
        where = or_(table.c.id == name_or_id, table.c.name_key == name_key(name_or_id))
        return self._one(ProtectedPerson, where, f"no protected person named {name_or_id!r}")

    def model(self, name_or_id: str) -> GenerativeModel:
        """The registered model with this name (any case) or id. Raises NotFound."""
        table = tables.models
        where = or_(table.c.id == name_or_id, table.c.name_key == name_key(name_or_id))
        return self._one(GenerativeModel, where, f"no model named {name_or_id!r}")

    def grants(self, talent_id: str | None = None) -> list[ConsentGrant]:
        """Every consent grant, or those of one talent, oldest first."""
        where = None if talent_id is None else tables.consent_grants.c.talent_id == talent_id
        return self._many(ConsentGrant, where)

    def grant(self, grant_id: str) -> ConsentGrant:
        """The consent grant with this id. Raises NotFound."""
        return self.get(ConsentGrant, grant_id)

    def references(self) -> list[LikenessReference]:
        """Every enrolled likeness reference, oldest first."""
        return self._many(LikenessReference)

    def reference_for_photo(self, sha256: str) -> LikenessReference | None:
        """The reference enrolled from the photo with this hash, if any."""
        found = self._many(LikenessReference, tables.likeness_references.c.photo_sha256 == sha256)
        return found[0] if found else None

    def add_decision(self, decision: Decision) -> Decision:
        """Store a guard decision. Raises AlreadyExists for a decision id already stored."""
        return self.add(decision)

    def decisions(self, subject: str | None = None) -> list[Decision]:
        """Every decision, or those about one subject, oldest first."""
        return self._many(Decision, None if subject is None else tables.decisions.c.subject == subject)

    def asset(self, sha256_or_id: str) -> Asset:
        """The asset record with this content hash or id. Raises NotFound."""
        table = tables.assets
        where = or_(table.c.id == sha256_or_id, table.c.sha256 == sha256_or_id)
        return self._one(Asset, where, f"no asset with sha256 or id {sha256_or_id!r}")

    def asset_by_mark(self, mark: str) -> Asset | None:
        """The signed output whose watermark payload is ``mark`` (12 hex digits), if any."""
        found = self._many(Asset, tables.assets.c.mark == mark)
        return found[0] if found else None

    def job_assets(self, job_id: str) -> list[Asset]:
        """Every asset a job produced or quarantined, oldest first."""
        return self._many(Asset, tables.assets.c.job_id == job_id)

    def jobs(self, state: str | None = None) -> list[Job]:
        """Every job, or those in one state, oldest first."""
        return self._many(Job, None if state is None else tables.jobs.c.state == state)

    def columns_disagreeing(self, cls: type, ids: list[str] | None = None) -> list[str]:
        """Ids of ``cls`` rows (or of those in ``ids``) whose key columns do not say what their own record says:
        a job's state column set to rejected alone hides it from every query by state."""
        kind = kind_of(cls)
        stmt = select(kind.table).order_by(kind.table.c.n)
        if ids is not None:
            stmt = stmt.where(kind.table.c.id.in_(ids))
        return [row["id"] for row in self.session.execute(stmt).mappings()
                if any(row[column] != value
                       for column, value in kind.keys(from_plain(cls, json.loads(row["record"]))).items())]

    def token_by_secret(self, secret_sha256: str) -> AccessToken | None:
        """The access token whose secret has this SHA-256, if any."""
        found = self._many(AccessToken, tables.access_tokens.c.secret_sha256 == secret_sha256)
        return found[0] if found else None

    def _one(self, cls: type[R], where: ColumnElement[bool], problem: str) -> R:
        found = self._many(cls, where)
        if not found:
            raise NotFound(problem, kind_of(cls).find_hint)
        return found[0]

    def _many(self, cls: type[R], where: ColumnElement[bool] | None = None) -> list[R]:
        table = kind_of(cls).table
        stmt = select(table.c.record).order_by(table.c.n)
        if where is not None:
            stmt = stmt.where(where)
        return [from_plain(cls, json.loads(text)) for text in self.session.scalars(stmt)]

    def _write(self, kind: Kind, record: Any, stmt: Any, own_id: str | None) -> Any:
        # A savepoint keeps the caller's transaction usable after a refused write (PostgreSQL would
        # otherwise abort it), so the error below can be explained with one more query.
        try:
            with self.session.begin_nested():
                return self.session.execute(stmt)
        except IntegrityError as exc:
            raise self._explain(kind, record, own_id, exc) from exc

    def _explain(self, kind: Kind, record: Any, own_id: str | None, exc: IntegrityError) -> Exception:
        """Which rule a refused write broke, as a typed error naming the value."""
        row = _row(kind, record)
        for column in kind.table.c:
            if not column.unique:
                continue
            clash = column == row[column.name]
            if own_id is not None:
                clash = clash & (kind.table.c.id != own_id)
            if self.session.scalar(select(exists().where(clash))):
                shown = _SHOWN_AS.get(column.name, column.name)
                return AlreadyExists(
                    f"a {kind.label} with {shown.replace('_', ' ')} {getattr(record, shown)!r} already exists",
                    kind.duplicate_hint,
                )
        for fk in kind.table.foreign_keys:
            value = row[fk.parent.name]
            if value is not None and not self.session.scalar(select(exists().where(fk.column == value))):
                target = next(k.label for k in KINDS.values() if k.table is fk.column.table)
                return NotFound(f"{kind.label} {record.id} names {target} {value!r}, which does not exist",
                                f"add the {target} first")
        return StudioError(f"the database refused {kind.label} {record.id}: {exc.orig}")


def _row(kind: Kind, record: Any) -> dict[str, Any]:
    return {"id": record.id, **kind.keys(record), "record": canonical_json(record)}
