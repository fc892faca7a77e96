"""Productions, talent, protected persons and works, and enrolled likeness references."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from greenlight.domain.serial import new_id, utcnow


@dataclass(frozen=True)
class Production:
    """A show or film. Consent is granted per production (or for every production)."""

    SCHEMA = "Production.1"
    code: str
    title: str
    id: str = field(default_factory=lambda: new_id("prod"))
    created_at: datetime = field(default_factory=utcnow)


class LifeStatus(enum.Enum):
    LIVING = "living"
    DECEASED = "deceased"


@dataclass(frozen=True)
class Talent:
    """A performer whose likeness may be used only under consent.

    ``representative`` speaks for a living performer; ``estate`` signs for a deceased one.
    """

    SCHEMA = "Talent.1"
    name: str
    aliases: tuple[str, ...] = ()
    status: LifeStatus = LifeStatus.LIVING
    representative: str | None = None
    estate: str | None = None
    id: str = field(default_factory=lambda: new_id("tal"))
    created_at: datetime = field(default_factory=utcnow)

    @property
    def deceased(self) -> bool:
        return self.status is LifeStatus.DECEASED

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class ProtectedPerson:
    """A public or historical figure: never covered unless a grant names them."""

    SCHEMA = "ProtectedPerson.1"
    name: str
    aliases: tuple[str, ...] = ()
    note: str = ""
    id: str = field(default_factory=lambda: new_id("pp"))
    created_at: datetime = field(default_factory=utcnow)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class ProtectedWork:
    """A title the studio does not own, with its character names."""

    SCHEMA = "ProtectedWork.1"
    title: str
    characters: tuple[str, ...] = ()
    owner: str = ""
    id: str = field(default_factory=lambda: new_id("pw"))
    created_at: datetime = field(default_factory=utcnow)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.title, *self.characters)


class SubjectKind(enum.Enum):
    """Whose likeness a reference or a match belongs to."""

    TALENT = "talent"
    PROTECTED = "protected"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class LikenessReference:
    """One enrolled reference photo: its hash, the face box and the 128-d identity embedding."""

    SCHEMA = "LikenessReference.1"
    subject_kind: SubjectKind
    subject_id: str
    photo_sha256: str
    embedding: tuple[float, ...]
    box: tuple[int, int, int, int]
    id: str = field(default_factory=lambda: new_id("ref"))
    enrolled_at: datetime = field(default_factory=utcnow)
