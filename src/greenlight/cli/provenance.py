"""`greenlight keys init`, `greenlight verify` and `greenlight ingest`: provenance on every file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from greenlight.cli.common import (
    ActorOption,
    JsonOption,
    StudioOption,
    actor,
    chosen_folders,
    console,
    open_studio,
    print_json,
)
from greenlight.runtime.verification import STRONG, UNMARKED_TOP, mark_strength  # noqa: F401 (the CLI's words)
from greenlight.runtime.verification import verification_plain as verification_json  # `verify --json`


def mark_text(mark) -> str:
    """What the watermark read says, for people: the payload, the strength word and the signal on its scale."""
    if mark is None:
        return "none recovered (no frame could be read)"
    signal = f"{mark.confidence:.2f} mean |z|"
    if mark_strength(mark) == "none":
        return f"none recovered: signal {signal}, as unmarked pictures give (up to {UNMARKED_TOP}); a mark counts " \
               "only when its checksum holds"
    if mark_strength(mark) == "strong":
        return f"payload {mark.payload:012x} recovered; signal strong: {signal}, above any unmarked picture " \
               f"(up to {UNMARKED_TOP})"
    return f"payload {mark.payload:012x} recovered; signal weak: {signal}, in the range unmarked pictures reach " \
           f"(up to {UNMARKED_TOP}), so its checksum is what makes it a mark"


keys_app = typer.Typer(help="The studio's signing identity for Content Credentials.", no_args_is_help=True)


@keys_app.command("init")
def keys_init(
    organisation: Annotated[str, typer.Option(help="Studio name written into the certificates.")] = "Greenlight studio",
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Create a development signing identity: root CA → intermediate → ES256 signer (keys 0600)."""
    from greenlight.provenance import init_keys
    from greenlight.runtime.signing import keys_folder

    home = open_studio(studio)
    identity = init_keys(keys_folder(home), organisation)
    with home.transaction() as tx:
        tx.begins_checkpoints = "keys"
        tx.ledger_event("keys.created", "keys", actor(as_), signer=identity.subject, organisation=organisation)
    console.print(f"signing identity {identity.subject} in {keys_folder(home)} (private keys 0600)")


@keys_app.command("import")
def keys_import(
    chain: Annotated[Path, typer.Argument(help="PEM chain: the signing certificate first, then intermediates.")],
    key: Annotated[Path, typer.Argument(help="PEM private key of the signing certificate (ES256).")],
    root: Annotated[Path, typer.Option(help="PEM root CA certificate: what verification trusts.")],
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Sign with the studio's own certificate chain instead of a development one (key written 0600)."""
    from greenlight.errors import InvalidInput
    from greenlight.provenance import import_keys
    from greenlight.runtime.signing import keys_folder

    home = open_studio(studio)
    for path in (chain, key, root):
        if not path.is_file():
            raise InvalidInput(f"{path}: no such file", "give the PEM files of the studio's signing identity")
    identity = import_keys(keys_folder(home), chain.read_bytes(), key.read_bytes(), root.read_bytes())
    with home.transaction() as tx:
        tx.begins_checkpoints = "keys"
        tx.ledger_event("keys.imported", "keys", actor(as_), signer=identity.subject)
    console.print(f"signing identity {identity.subject} installed in {keys_folder(home)} (private key 0600)")


def verify(
    file: Annotated[Path, typer.Argument(help="Any image or video: a deliverable, a copy, a download.")],
    studio: StudioOption = None,
    json: JsonOption = False,
) -> None:
    """Check Content Credentials against the studio root and trace the watermark. Exit 0 verified, 1 not."""
    from greenlight.runtime.verification import verify_file

    result = verify_file(open_studio(studio), file)
    if json:
        print_json(verification_json(result))
    else:
        _print_verification(result)
    raise typer.Exit(0 if result.verified else 1)


def ingest(
    file: Annotated[Path, typer.Argument(help="Media made outside Greenlight.")],
    tool: Annotated[str, typer.Option(help="The outside tool that made it (model, vendor, app).")],
    production: Annotated[str, typer.Option("--production", "-p", help="Production code.")],
    use: Annotated[str, typer.Option(help="The likeness use to check consent for.")] = "independent-replica",
    studio: StudioOption = None,
    as_: ActorOption = None,
    json: JsonOption = False,
) -> None:
    """Bring outside media in through the gate: scanned, signed, watermarked, stored, queued for review."""
    from greenlight.cli.jobs import print_outcome, run_job
    from greenlight.domain import JobState, Use
    from greenlight.runtime.jobs import submit

    home = open_studio(studio)
    params = {"tool": tool, "use": Use.parse(use).value}
    # the folders the artist typed ("media/Barack Obama/plate.png") are recorded with the job, so they are
    # screened for names with its other text; the input itself is recorded by its file name alone
    if folders := chosen_folders(file, Path.home(), home.home):
        params["folders"] = folders
    job = submit(home, "ingest", params, [file], production, actor(as_))
    job = run_job(home, job.id) if not json else _quiet_run(home, job.id)
    with home.transaction() as tx:
        assets = tx.registry.job_assets(job.id)
        decisions = tx.registry.decisions(subject=job.id)
    if json:
        outputs = [a for a in assets if a.id in job.outputs]
        reasons = [{"verdict": r.verdict.value, "code": r.code, "message": r.message}
                   for r in (decisions[-1].reasons if decisions else ())]
        print_json({"job": job.id, "state": job.state.value, "reasons": reasons,
                    "assets": [{"id": a.id, "path": str(home.home / a.path), "role": a.role, "sha256": a.sha256}
                               for a in outputs]})
    else:
        print_outcome(home, job)
    raise typer.Exit({JobState.IN_REVIEW: 0, JobState.ESCALATED: 3, JobState.BLOCKED: 4}.get(job.state, 2))


def _print_verification(result) -> None:
    style = "green" if result.verified else "red"
    console.print(f"{'VERIFIED' if result.verified else 'NOT VERIFIED'}: {result.reason}", style=f"bold {style}")
    report = result.manifest
    for action in report.actions:
        agent = f" by {action.software_agent}" if action.software_agent else ""
        source = f" ({action.digital_source_type.rsplit('/', 1)[-1]})" if action.digital_source_type else ""
        console.print(f"  action {action.action}{agent}{source}")
    for ingredient in report.ingredients:
        console.print(f"  ingredient {ingredient.title} ({ingredient.relationship})")
    if report.sidecar:
        console.print(f"  credentials in the sidecar manifest {report.sidecar} (EXR cannot embed them)")
    if report.present:
        console.print(f"  do not train: {'yes' if report.do_not_train else 'NOT STATED'}")
    if report.job:
        console.print(f"  production {report.job.production}, job {report.job.job_id}, engine {report.job.engine}, "
                      f"consents {', '.join(report.job.consent_grant_ids) or 'none'}")
    copied = f"; a copied mark: the picture is not asset {result.copied_from}" if result.copied_from else ""
    console.print(f"  watermark: {mark_text(result.watermark)}{copied}")
    if result.asset:
        console.print(f"  in this studio: asset {result.asset.id} ({result.asset.role})")
    if result.job:
        console.print(f"  in this studio: job {result.job.id} is {result.job.state.value}")


def _quiet_run(home, job_id: str):
    from greenlight.cli.jobs import run_job

    return run_job(home, job_id, quiet=True)

