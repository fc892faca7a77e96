"""What the job page shows, gathered from the runtime in one place: outputs beside the inputs they were made
from, guard decisions by stage, Content Credentials, what would be owed. A talent representative's view is
cut down to their own talent: another person's reasons, grants and money are left out, not just hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from greenlight.domain import Asset, ConsentGrant, Decision, Job, Reason, Talent
from greenlight.domain.access import Caller, Role
from greenlight.errors import NotFound, ProvenanceError
from greenlight.runtime.studio import Studio, Transaction

# The gates in the order a job meets them, with the words a reviewer reads.
STAGES = {"preflight": "Preflight (before the engine ran)", "postflight": "Postflight (every output frame)",
          "publish": "Publish (consent checked once more)", "approve": "Review (at approval)",
          "export": "Export (at delivery)", "download": "Download (delivered through the service)"}


@dataclass(frozen=True)
class Credentials:
    """The Content Credentials summary of one output."""

    state: str  # trusted, valid, invalid, unsigned, unreadable
    signer: str = ""
    actions: tuple[str, ...] = ()
    ingredients: tuple[str, ...] = ()
    do_not_train: bool = False
    grants: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutputView:
    """One output, the input it was edited from (for the before/after viewer), and its credentials."""

    asset: Asset
    before: Asset | None
    credentials: Credentials

    @property
    def video(self) -> bool:
        return self.asset.media_type.startswith("video/")


@dataclass(frozen=True)
class StageView:
    stage: str
    label: str
    decision: Decision
    reasons: tuple[Reason, ...]
    withheld: int = 0  # reasons about other talent, left out of a talent representative's view


@dataclass
class JobView:
    job: Job
    production: str
    outputs: list[OutputView]
    stages: list[StageView]
    owed: list[str]
    talent: dict[str, str] = field(default_factory=dict)  # id → name of the talent the caller may see


def job_view(studio: Studio, tx: Transaction, who: Caller, job: Job) -> JobView:
    """Everything the job page shows ``who`` (who may already see the job)."""
    from greenlight.runtime.guarding import stages
    from greenlight.runtime.visibility import talent_shown

    mine = _visible_talent(who, talent_shown(tx.registry, job))
    decisions = tx.registry.decisions(subject=job.id)
    made_at = stages(tx, decisions)
    inputs = {i.name: asset for i in job.inputs if (asset := _asset(tx, i.sha256)) is not None}
    outputs = [_output(studio, tx, tx.registry.asset(a), inputs, mine, who) for a in job.outputs]
    views = [_stage(made_at.get(d.id), d, mine, who) for d in decisions]
    owed = [_owed(tx, u) for u in job.usage if _mine(who, u.talent_id, mine)]
    names = {t: tx.registry.get(Talent, t).name for t in mine if _exists(tx, t)}
    return JobView(job, _production(tx, job), outputs, views, owed, names)


def _visible_talent(who: Caller, shown: set[str]) -> set[str]:
    return {who.talent_id} & shown if who.role is Role.TALENT_REP else shown


def _mine(who: Caller, talent_id: str | None, mine: set[str]) -> bool:
    return who.role is not Role.TALENT_REP or talent_id in mine


def _stage(stage: str | None, decision: Decision, mine: set[str], who: Caller) -> StageView:
    kept = tuple(r for r in decision.reasons if r.subject_id is None or _mine(who, r.subject_id, mine))
    label = STAGES.get(stage or "", (stage or "unrecorded stage").capitalize())
    return StageView(stage or "unrecorded", label, decision, kept, len(decision.reasons) - len(kept))


def _output(studio: Studio, tx: Transaction, asset: Asset, inputs: dict[str, Asset], mine: set[str],
            who: Caller) -> OutputView:
    credentials = _credentials(studio, asset)
    # The manifest names the input an edit was made from (its parentOf ingredient); generated pictures have none.
    parent = next((inputs[t] for t in credentials.ingredients if t in inputs), None)
    if credentials.state in ("unsigned", "unreadable") and len(inputs) == 1:
        parent = next(iter(inputs.values()))  # a held (quarantined) output is unsigned: pair it with its one input
    if parent is not None and (parent.sha256 == asset.sha256 or parent.media_type.split("/")[0] !=
                               asset.media_type.split("/")[0]):
        parent = None  # a held ingest is its own input (nothing to compare), or the kinds differ
    if who.role is Role.TALENT_REP:
        theirs = tuple(g for g in credentials.grants if _grant_talent(tx, g) in mine)
        credentials = replace(credentials, grants=theirs)
    return OutputView(asset, parent, credentials)


def _credentials(studio: Studio, asset: Asset) -> Credentials:
    from greenlight.runtime.signing import trust_root

    return _read_credentials(str(studio.home / asset.path), trust_root(studio))


@lru_cache(maxsize=64)
def _read_credentials(path: str, root: bytes | None) -> Credentials:
    """The summary of one file's manifest; stored assets never change, so it is read once per trust root."""
    from greenlight.provenance import read_manifest

    try:
        report = read_manifest(path, root)
    except ProvenanceError as error:
        return Credentials("unreadable", failures=(error.problem,))
    actions = tuple(_action(a) for a in report.actions)
    parents = tuple(i.title for i in report.ingredients if i.relationship == "parentOf")
    grants = tuple(report.job.consent_grant_ids) if report.job else ()
    return Credentials(report.state, report.signer, actions, parents, report.do_not_train, grants, report.failures)


def _action(action) -> str:
    source = action.digital_source_type.rsplit("/", 1)[-1]
    agent = f" by {action.software_agent}" if action.software_agent else ""
    return f"{action.action}{agent}" + (f" ({source})" if source else "")


def _grant_talent(tx: Transaction, grant_id: str) -> str | None:
    try:
        return tx.registry.grant(grant_id).talent_id
    except NotFound:
        return None


def _owed(tx: Transaction, usage) -> str:
    from greenlight.cli.money import owed_text

    return owed_text(usage, _grant(tx, usage.grant_id))


def _grant(tx: Transaction, grant_id: str):
    try:
        return tx.ledgered(ConsentGrant, grant_id)  # its rate as recorded, not as a row may now say
    except NotFound:
        return None


def _asset(tx: Transaction, sha256: str) -> Asset | None:
    try:
        return tx.registry.asset(sha256)
    except NotFound:  # an input whose file the studio no longer holds: the page still shows the rest
        return None


def _exists(tx: Transaction, talent_id: str) -> bool:
    try:
        tx.registry.get(Talent, talent_id)
    except NotFound:
        return False
    return True


def _production(tx: Transaction, job: Job) -> str:
    from greenlight.domain import Production

    return tx.registry.get(Production, job.production_id).code
