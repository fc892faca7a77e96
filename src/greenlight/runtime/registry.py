"""Registry changes: productions, talent, protected persons and works, likeness enrolment."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from greenlight.domain import (
    LifeStatus,
    LikenessReference,
    Production,
    ProtectedPerson,
    ProtectedWork,
    SubjectKind,
    Talent,
)
from greenlight.errors import AlreadyExists, EnrolmentError, InvalidInput
from greenlight.runtime.studio import Studio, Transaction


def add_production(studio: Studio, code: str, title: str, actor: str) -> Production:
    production = Production(code=_required(code, "production code"), title=_required(title, "production title"))
    with studio.transaction() as tx:
        tx.registry.add(production)
        tx.record("production.added", production, actor)
    return production


def add_talent(
    studio: Studio,
    name: str,
    actor: str,
    aliases: Sequence[str] = (),
    deceased: bool = False,
    representative: str | None = None,
    estate: str | None = None,
) -> Talent:
    """Register a performer. A deceased performer must name the estate that speaks for them.

    Raises:
        InvalidInput: no name, or a deceased performer without an estate.
    """
    if deceased and not estate:
        raise InvalidInput(f"{name} is deceased: name the estate that consents for them", "add --estate NAME")
    talent = Talent(
        name=_required(name, "talent name"),
        aliases=tuple(a.strip() for a in aliases if a.strip()),
        status=LifeStatus.DECEASED if deceased else LifeStatus.LIVING,
        representative=representative,
        estate=estate,
    )
    with studio.transaction() as tx:
        _no_look_alike(tx, talent.name, Talent, "talent")
        tx.registry.add(talent)
        tx.record("talent.added", talent, actor)
    return talent


def _shape(name: str) -> str:
    """How a name looks: look-alike letters merged, invisible characters dropped, case and spaces folded."""
    from greenlight.policy.textfold import skeleton

    return " ".join(skeleton(name)[0].split())


def _no_look_alike(tx: Transaction, name: str, kind: type[Talent] | type[ProtectedPerson], label: str) -> None:
    """Refuse a name that only looks like one already registered (a Cyrillic а, full-width letters, a zero-width
    space): two records a reader cannot tell apart would split one person's consent, tokens and pay."""
    from greenlight.store.registry import name_key

    shape = _shape(name)
    for known in tx.registry.list(kind):
        # the same name typed another way (case, spaces) is the registry's own duplicate check
        if _shape(known.name) == shape and name_key(known.name) != name_key(name):
            raise AlreadyExists(f"{label} name {name!r} looks the same as {known.name!r} ({known.id}), "
                                "already registered", "use the name already there, typed the same way")


def protect_person(
    studio: Studio, name: str, actor: str, aliases: Sequence[str] = (), note: str = "", photos: Sequence[Path] = ()
) -> ProtectedPerson:
    """Register a public or historical figure, enrolled from ``photos`` so their face is caught too."""
    person = ProtectedPerson(name=_required(name, "name"), aliases=tuple(aliases), note=note)
    references = _references(studio, photos, SubjectKind.PROTECTED, person.id)
    with studio.transaction() as tx:
        _no_look_alike(tx, person.name, ProtectedPerson, "protected person")
        tx.registry.add(person)
        tx.record("protected.person.added", person, actor)
        _add_references(tx, references, photos, actor)
    return person


def protect_work(
    studio: Studio, title: str, actor: str, characters: Sequence[str] = (), owner: str = ""
) -> ProtectedWork:
    work = ProtectedWork(title=_required(title, "title"), characters=tuple(characters), owner=owner)
    with studio.transaction() as tx:
        tx.registry.add(work)
        tx.record("protected.work.added", work, actor)
    return work


def enrol(studio: Studio, talent: Talent, photos: Sequence[Path], actor: str) -> list[LikenessReference]:
    """Enrol a talent's likeness from reference photos, each showing exactly one face.

    Every photo is read and checked before anything is written: one bad photo enrols none.

    Raises:
        MediaError: a photo cannot be read.
        EnrolmentError: a photo shows no face or several, is already enrolled, does not look like
            the talent's other photos, or matches someone else already enrolled.
    """
    references = _references(studio, photos, SubjectKind.TALENT, talent.id)
    with studio.transaction() as tx:
        _add_references(tx, references, photos, actor)
    return references


def _references(studio: Studio, photos: Sequence[Path], kind: SubjectKind, subject_id: str) -> list[LikenessReference]:
    from greenlight.likeness.enrol import reference_from_photo

    references = [reference_from_photo(Path(p), kind, subject_id, studio.analyzer) for p in photos]
    seen: dict[str, Path] = {}
    for photo, ref in zip(photos, references, strict=True):
        if ref.photo_sha256 in seen:
            raise EnrolmentError(f"{photo}: the same photo as {seen[ref.photo_sha256]}", "give each photo once")
        seen[ref.photo_sha256] = photo
    return references


def _add_references(tx, references: list[LikenessReference], photos: Sequence[Path], actor: str) -> None:
    from greenlight.ledger.replay import reference_sha256
    from greenlight.likeness.enrol import check_enrolment
    from greenlight.runtime.scanning import gallery

    check_enrolment(photos, references, gallery(tx))
    for photo, ref in zip(photos, references, strict=True):
        if tx.registry.reference_for_photo(ref.photo_sha256) is not None:
            raise EnrolmentError(f"{photo}: this photo is already enrolled", "enrol from a different photo")
        tx.registry.add(ref)
        # The ledger keeps who was enrolled from which photo, never the biometric embedding itself.
        tx.ledger_event(
            "likeness.enrolled",
            ref.id,
            actor,
            subject_kind=ref.subject_kind.value,
            subject_id=ref.subject_id,
            photo_sha256=ref.photo_sha256,
            photo=str(photo),
            reference_sha256=reference_sha256(ref),  # pins the embedding without putting it in the ledger
        )


def _required(value: str, what: str) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise InvalidInput(f"the {what} is empty")
    return cleaned
