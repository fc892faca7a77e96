"""The runtime side of the guards: gather the facts, run the scans, call the policy, record decisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from greenlight.domain import (
    ConsentGrant,
    Decision,
    Identity,
    Job,
    Production,
    RateUnit,
    ScanResult,
    SubjectKind,
    Usage,
    Use,
    utcnow,
)
from greenlight.engines.base import EngineInfo, EngineOutput, load_engine
from greenlight.policy import ConsentContext
from greenlight.policy.jobs import (
    JobFacts,
    drawn_text_reasons,
    job_text,
    postflight_reasons,
    preflight_reasons,
    publish_reasons,
)
from greenlight.runtime.jobs import input_paths, makes
from greenlight.runtime.scanning import consent_grants, gallery, ledgered_talent, named_subjects
from greenlight.runtime.signing import OutputSpec
from greenlight.runtime.studio import Studio, Transaction

ScanProgress = Callable[[int, int], None]
SOURCE_KINDS = {
    "trainedAlgorithmicMedia": "generated",
    "algorithmicMedia": "procedural",
    "compositeWithTrainedAlgorithmicMedia": "altered",
    "composite": "composite",
}


def facts(tx: Transaction, job: Job, info: EngineInfo) -> JobFacts:
    """Everything the policy needs about a job, read fresh from the registry now."""
    use = Use.parse(job.params.get("use") or info.likeness_use or Use.PREVIS.value)
    text = job_text(job.params, [i.name for i in job.inputs])
    target = job.params.get("talent_id")
    return JobFacts(
        context=ConsentContext(job.production_id, use, utcnow(), makes(job, info)),
        talent={t.id: t for t in ledgered_talent(tx)},
        grants=consent_grants(tx),
        subjects=named_subjects(tx),
        text=text,
        targets=(target,) if target else (),
        alters_footage=info.action == "c2pa.edited",
        approvals=job.approvals,
    )


def preflight(studio: Studio, job: Job, progress: ScanProgress) -> tuple[Decision, list[ScanResult]]:
    """The decision before the engine runs, and the scans of the inputs (kept for postflight)."""
    info = load_engine(job.engine).info
    with studio.transaction() as tx:
        job_facts, faces, paths = facts(tx, job, info), gallery(tx), input_paths(studio, tx, job)
    scans = [_scan(studio, p, faces, progress) for p in paths] if job_facts.alters_footage else []
    return _decision(job, job_facts, preflight_reasons(job_facts, scans)), scans


def postflight(
    studio: Studio, job: Job, input_scans: list[ScanResult], outputs: list[EngineOutput], progress: ScanProgress
) -> tuple[Decision, list[Usage]]:
    """The decision on every output frame's faces, and the likeness use it would meter if approved."""
    from greenlight.runtime.untouched import altered_faces

    info = load_engine(job.engine).info
    with studio.transaction() as tx:
        job_facts, faces, paths = facts(tx, job, info), gallery(tx), input_paths(studio, tx, job)
    scans = [_scan(studio, o.path, faces, progress) for o in outputs]
    if job_facts.alters_footage:
        changed = altered_faces(paths, [o.path for o in outputs], scans, job_facts.targets)
        job_facts = replace(job_facts, altered_faces=changed)
    drawn = "\n".join(t for o in outputs for t in o.text)
    reasons = postflight_reasons(job_facts, scans) + drawn_text_reasons(job_facts, drawn)
    decision = _decision(job, job_facts, reasons)
    return decision, meter(decision, scans, job_facts.grants)


def at_publish(tx: Transaction, job: Job) -> Decision:
    """Consent checked once more, just before publishing: a grant revoked during the run stops it."""
    job_facts = facts(tx, job, load_engine(job.engine).info)
    relied = {g.talent_id for g in job_facts.grants if g.id in job.grant_ids}
    named = [_identity(job_facts, t) for t in relied if t not in job_facts.targets]
    return _decision(job, job_facts, publish_reasons(job_facts, named))


def record(tx: Transaction, decision: Decision, actor: str, job: Job, stage: str) -> Decision:
    """Store the decision and its ledger entry, saying which gate made it; returns it with its ``stage``."""
    decision = replace(decision, stage=stage)
    tx.registry.add_decision(decision)
    tx.record("decision.made", decision, actor, job_id=job.id, stage=stage)
    return decision


def stages(tx: Transaction, decisions: list[Decision]) -> dict[str, str]:
    """Which gate made each decision: its ``stage``, or for one recorded before decisions kept it, the
    ``stage`` its ``decision.made`` ledger entry names. Decisions neither says are left out."""
    import json

    from sqlalchemy import select

    from greenlight.store.tables import ledger_entries

    found = {d.id: d.stage for d in decisions if d.stage}
    older = [d.id for d in decisions if not d.stage]
    if older:
        table = ledger_entries
        query = select(table.c.subject, table.c.record).where(table.c.kind == "decision.made",
                                                              table.c.subject.in_(older))
        for subject, text in tx.ledger.session.execute(query):
            stage = json.loads(text).get("payload", {}).get("stage")
            if stage:
                found[subject] = stage
    return found


def summary(decision: Decision) -> str:
    """The messages of the reasons that decided the verdict, in one line."""
    return "; ".join(r.message for r in decision.reasons if r.verdict is decision.verdict) or decision.verdict.value


def output_spec(studio: Studio, job: Job, output: EngineOutput) -> OutputSpec:
    """What the Content Credentials of one output say: engine, source type, inputs, consents."""
    info = load_engine(job.engine).info
    with studio.transaction() as tx:
        production = tx.ledgered(Production, job.production_id)
        paths = input_paths(studio, tx, job)
    altered = info.action == "c2pa.edited"
    return OutputSpec(
        title=f"{job.id}-{output.path.stem}",
        source=SOURCE_KINDS[info.source_type.rsplit("/", 1)[-1]],
        software_agent=job.params.get("tool") or f"Greenlight {info.name} {info.version}",
        production=production.code,
        job_id=job.id,
        engine=info.name,
        model=str(output.notes.get("model", "")),
        seed=output.notes.get("seed", job.seed),  # an engine making variations gives each its own seed
        grant_ids=job.grant_ids,
        parents=paths if altered else (),
        components=(() if altered else paths) + tuple(output.components),
        titles={p: i.name for p, i in zip(paths, job.inputs, strict=True)} | dict(output.components),
    )


def meter(decision: Decision, scans: list[ScanResult], grants: list[ConsentGrant]) -> list[Usage]:
    """Seconds on screen (or images, or one flat use) of each covered person, under the grant covering them."""
    by_id = {g.id: g for g in grants}
    usage = []
    for reason in decision.reasons:
        grant = by_id.get(reason.evidence.get("grant_id", ""))
        if grant is None:
            continue
        unit = grant.compensation.unit
        if unit is RateUnit.PER_SECOND:
            quantity = sum(_seconds(s, grant.talent_id) for s in scans)
        elif unit is RateUnit.PER_IMAGE:
            quantity = float(sum(1 for s in scans if grant.talent_id in {i.subject_id for i in s.identities()}))
        else:
            quantity = 1.0
        usage.append(Usage(grant.id, grant.talent_id, unit.value, round(quantity, 3)))
    return usage


def _seconds(scan: ScanResult, talent_id: str) -> float:
    frames = sum(t.frame_count for t in scan.tracks if t.identity.subject_id == talent_id)
    return frames / scan.fps if scan.fps else 0.0


def _scan(studio: Studio, path: Path, faces, progress: ScanProgress) -> ScanResult:
    from greenlight.likeness.scan import scan_file

    return scan_file(path, faces, studio.analyzer, progress=progress)


def _decision(job: Job, job_facts: JobFacts, reasons) -> Decision:
    return Decision.from_reasons(
        tuple(reasons), production_id=job.production_id, use=job_facts.context.use.value, subject=job.id
    )


def _identity(job_facts: JobFacts, subject_id: str) -> Identity:
    person = job_facts.talent.get(subject_id)
    if person is None:  # a grant that names a protected person
        return Identity(SubjectKind.PROTECTED, subject_id, subject_id)
    return Identity(SubjectKind.TALENT, subject_id, person.name)
