"""Scan a file or screen a text under a production and a use, and record the decision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from greenlight.domain import (
    ConsentGrant,
    Decision,
    ProtectedPerson,
    ProtectedWork,
    ScanResult,
    Talent,
    Use,
    from_plain,
    utcnow,
)
from greenlight.policy import ConsentContext, NamedSubject, likeness_decision, text_decision
from greenlight.runtime.studio import Studio, Transaction


@dataclass(frozen=True)
class ScanOutcome:
    scan: ScanResult
    decision: Decision


def gallery(tx: Transaction):
    """Every enrolled reference, named: the gallery faces are identified against."""
    from greenlight.likeness.gallery import Gallery

    names = {t.id: t.name for t in ledgered_talent(tx)}
    names.update({p.id: p.name for p in tx.ledgered_list(ProtectedPerson, "protected.person.added")})
    return Gallery(tx.ledgered_references(), names)


def ledgered_talent(tx: Transaction) -> list[Talent]:
    """Every talent as the ledger recorded them (a name or an estate edited in a row would change a decision)."""
    return tx.ledgered_list(Talent, "talent.added")


def named_subjects(tx: Transaction) -> list[NamedSubject]:
    """Every name prompt screening looks for."""
    subjects = [NamedSubject("talent", t.id, t.name, t.names) for t in ledgered_talent(tx)]
    people = tx.ledgered_list(ProtectedPerson, "protected.person.added")
    subjects += [NamedSubject("protected-person", p.id, p.name, p.names) for p in people]
    works = tx.ledgered_list(ProtectedWork, "protected.work.added")
    subjects += [NamedSubject("protected-work", w.id, w.title, w.names) for w in works]
    return subjects


def scan(
    studio: Studio,
    path: Path,
    actor: str,
    production_code: str | None = None,
    use: Use | None = None,
    at: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScanOutcome:
    """Find every face in an image or video, identify it, and decide under this production and use.

    Raises:
        MediaError: the file cannot be read as an image or video.
        NotFound: the production does not exist.
    """
    from greenlight.likeness.scan import scan_file

    with studio.transaction() as tx:
        _context(tx, production_code, use, at)  # an unknown production fails before a long scan
        faces = gallery(tx)
    result = scan_file(path, faces, studio.analyzer, progress=progress)
    with studio.transaction() as tx:
        decision = likeness_decision(result, _context(tx, production_code, use, at), *_consent_records(tx))
        decision = _record(tx, replace(decision, stage="scan"), actor, file=str(path), media=result.media)
    return ScanOutcome(result, decision)


def screen(
    studio: Studio, text: str, production_code: str, use: Use, actor: str, at: datetime | None = None
) -> Decision:
    """Decide on the names a prompt or parameter mentions."""
    with studio.transaction() as tx:
        context = _context(tx, production_code, use, at)
        decision = text_decision(text, context, named_subjects(tx), *_consent_records(tx))
        decision = _record(tx, replace(decision, stage="screen"), actor, text=text)
    return decision


def _context(tx: Transaction, production_code: str | None, use: Use | None, at: datetime | None):
    if production_code is None or use is None:
        return None
    return ConsentContext(tx.production(production_code).id, use, at or utcnow())


def _consent_records(tx: Transaction):
    talent = {t.id: t for t in ledgered_talent(tx)}
    return talent, consent_grants(tx)


def consent_grants(tx: Transaction) -> list[ConsentGrant]:
    """The consent grants every guard decides by, each as the ledger's last entry about it recorded it.

    A grant's row is a copy for queries: set back to active in its table behind the ledger's back (a revoked
    grant reinstated by a database writer), it still reads as revoked; a grant no entry wrote covers
    nothing. `ledger verify` reports both; the guards do not wait for someone to run it.

    Raises:
        LedgerError: the last entry about a grant was edited (its hash no longer matches), or the ledger is
            behind its last signed checkpoint (an older copy of the database put back).
    """
    tx.check_not_rolled_back()
    rows = tx.registry.grants()
    latest = tx.ledger.latest_each([g.id for g in rows])
    grants = []
    for grant in rows:
        entry = latest.get(grant.id)
        record = entry.event.payload.get("record") if entry is not None else None
        if isinstance(record, dict) and record.get("schema") == ConsentGrant.SCHEMA:
            grants.append(from_plain(ConsentGrant, record))
    tx.check_chain()  # last, so an edit the checks above name is reported as theirs
    return grants


def _record(tx: Transaction, decision: Decision, actor: str, **details: str) -> Decision:
    tx.registry.add_decision(decision)
    tx.record("decision.made", decision, actor, stage=decision.stage, **details)
    return decision
