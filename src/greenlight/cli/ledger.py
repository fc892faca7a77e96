"""`greenlight ledger verify|checkpoint|prove|export`: prove the record of every decision is whole."""

from __future__ import annotations

import json as jsonlib
from pathlib import Path
from typing import Annotated

import typer

from greenlight.cli.common import ActorOption, JsonOption, StudioOption, actor, console, open_studio, print_json

app = typer.Typer(help="The append-only, hash-chained record of every change and decision.", no_args_is_help=True)

CheckpointFiles = Annotated[
    list[Path] | None,
    typer.Option("--checkpoint", help="A checkpoint kept by legal or talent (`ledger checkpoint FILE`), or a folder "
                 "of them (`ledger checkpoint --to DIR`); repeatable."),
]
AcceptRestart = Annotated[
    int | None,
    typer.Option("--accept-restart", help="Acknowledge that the checkpoints file was restarted at this entry "
                 "(`ledger restart-checkpoints`) and nothing in the studio vouches for the entries before it."),
]


@app.command("verify")
def verify(checkpoint: CheckpointFiles = None, accept_restart: AcceptRestart = None, studio: StudioOption = None,
           json: JsonOption = False) -> None:
    """Check the chain, every signed checkpoint (the studio's file, the ones given, every output's Content
    Credentials) and every registry row against the ledger's events. Exit 1 naming what broke."""
    from greenlight.runtime.ledgerbook import audit_plain, verify_ledger

    report = verify_ledger(open_studio(studio), checkpoint or (), accept_restart)
    if json:
        print_json(audit_plain(report))
    else:
        _print_report(report)
    raise typer.Exit(0 if report.ok else 1)


@app.command("checkpoint")
def checkpoint(
    target: Annotated[Path | None, typer.Argument(help="Where to write it (default: print it).")] = None,
    to: Annotated[Path | None, typer.Option("--to", help="A folder outside the studio (legal's share, a talent rep's "
                                                         "drop): add checkpoint-<entries>-<time>.json there.")] = None,
    studio: StudioOption = None,
) -> None:
    """Sign a checkpoint of the ledger head now and export it, for legal or a talent's representative to keep.

    It holds only sizes and hashes, no names, so it may leave the studio folder. Later,
    `greenlight ledger verify --checkpoint FILE` (or the `--to` folder) shows whether the ledger still
    contains what it did. Run `ledger checkpoint --to DIR` on a schedule: only copies held outside the
    studio catch a tail cut from the database and the checkpoints file together.
    """
    from greenlight.errors import InvalidInput, LedgerError
    from greenlight.store.files import atomic_writer

    home = open_studio(studio)
    seal = home.checkpoints.seal()
    if seal is None:
        raise LedgerError("the studio has no signing key, and an unsigned checkpoint proves nothing",
                          "run `greenlight keys init` (or `keys import`) first")
    from greenlight.ledger.checkpoint_log import CheckpointRefused

    try:
        signed = home.checkpoints.update_or_raise(home.database)
    except (CheckpointRefused, OSError) as exc:
        signed, why = None, str(exc)
    else:
        why = "the ledger does not continue its last signed checkpoint"
    if signed is None or signed.signature is None:
        raise LedgerError(f"no checkpoint signed: {why}",
                          "run `greenlight ledger verify` to see what broke; checkpoints that were really lost are "
                          "begun again only on the record, with `greenlight ledger restart-checkpoints --reason ...`")
    data = {**signed.to_plain(), "signer_chain": seal.chain_pem.decode("ascii")}
    if to is not None:
        target = to / f"checkpoint-{signed.tree_size:08d}-{signed.when.replace(':', '')}.json"
    if target is None:
        return print_json(data)
    try:
        if to is not None:
            to.mkdir(parents=True, exist_ok=True)
        with atomic_writer(target) as out:
            out.write((jsonlib.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    except OSError as exc:
        raise InvalidInput(f"{target}: cannot write the checkpoint ({exc.strerror})",
                           "choose a folder you can write") from None
    console.print(f"signed checkpoint of {signed.tree_size} entries (root {signed.root_hash[:16]}…, {signed.when}) "
                  f"written to {target}; check the ledger against it with "
                  f"`greenlight ledger verify --checkpoint {target}`")


@app.command("restart-checkpoints")
def restart_checkpoints(
    reason: Annotated[str, typer.Option(help="Why the checkpoints file was lost (recorded in the ledger).")],
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Begin a new checkpoints file after the old one was lost, on the record.

    Appends a `checkpoints.restarted` entry, moves what is left of the old file aside, and signs a first
    checkpoint there marked `restarted_at`. Nothing in the studio vouches for the entries before it, so
    `ledger verify` fails until a checkpoint kept outside covers them (`--checkpoint`) or the restart is
    acknowledged (`--accept-restart N`). Refused while the file still holds a checkpoint the key signed.
    """
    import time

    from greenlight.errors import LedgerError
    from greenlight.ledger.checkpoint import signature_problem
    from greenlight.ledger.checkpoint_log import RESTART, RESTART_EVENT

    home = open_studio(studio)
    log = home.checkpoints
    seal = log.seal()
    if seal is None:
        raise LedgerError("the studio has no signing key to sign new checkpoints with",
                          "run `greenlight keys init` (or `keys import`) first")
    if any(signature_problem(line.checkpoint, seal) is None for line in log.read().lines):
        raise LedgerError(f"{log.path} still holds checkpoints the studio key signed: the ledger must match them, "
                          "not be signed again", "run `greenlight ledger verify` to see what broke")
    aside = None
    if log.path.exists():
        aside = log.path.with_name(f"{log.path.name}.lost-{int(time.time())}")
        log.path.rename(aside)  # kept for whoever investigates, never read again
    with home.transaction() as tx:
        tx.begins_checkpoints = RESTART
        tx.ledger_event(RESTART_EVENT, "checkpoints", actor(as_), reason=reason,
                        old_file=aside.name if aside else None)
    first = log.read().lines[0].checkpoint if log.read().lines else None
    if first is None or first.restarted_at is None:
        raise LedgerError("the new checkpoints file could not be signed", "run `greenlight ledger verify`")
    console.print(f"checkpoints restarted at ledger entry {first.restarted_at}: nothing in the studio vouches for "
                  f"entries 1 to {first.restarted_at - 1}; `ledger verify` fails until a checkpoint kept outside "
                  f"covers them (--checkpoint) or you acknowledge it (--accept-restart {first.restarted_at})",
                  style="yellow")


@app.command("prove")
def prove(
    entry: Annotated[str, typer.Argument(help="An entry number, or a decision, job or grant id (its last entry).")],
    checkpoint: Annotated[Path | None, typer.Option(help="Prove against this kept checkpoint "
                                                          "(default: the studio's latest).")] = None,
    studio: StudioOption = None,
) -> None:
    """Print a Merkle inclusion proof (RFC 9162) that an entry is in a signed checkpoint, as JSON."""
    from greenlight.ledger.proof import check_proof, find_entry
    from greenlight.ledger.proof import prove as inclusion
    from greenlight.runtime.ledgerbook import kept_checkpoint

    home = open_studio(studio)
    target = kept_checkpoint(checkpoint).checkpoint if checkpoint else home.checkpoints.update(home.database)
    with home.transaction() as tx:
        seq = find_entry(tx.ledger.session, entry)
        if target is None or target.tree_size < seq:
            target = home.checkpoints.latest()
        if target is None:
            from greenlight.errors import LedgerError

            raise LedgerError("the studio has no checkpoint to prove against", "run `greenlight ledger checkpoint`")
        proof = inclusion(tx.ledger.session, seq, target)
    proof["checks"] = check_proof(proof, home.checkpoints.seal()) or ["ok"]
    print_json(proof)


@app.command("check-proof")
def check_proof_command(
    proof: Annotated[Path, typer.Argument(help="A proof printed by `greenlight ledger prove`.")],
    studio: StudioOption = None,
) -> None:
    """Check an inclusion proof against the studio key: exit 0 when the entry is in the signed checkpoint, else 1."""
    from greenlight.errors import InvalidInput
    from greenlight.ledger.proof import check_proof

    if not Path(proof).is_file():
        raise InvalidInput(f"{proof}: no such file", "give the file `ledger prove` wrote")
    try:
        data = jsonlib.loads(Path(proof).read_text("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        raise InvalidInput(f"{proof}: not a readable inclusion proof", "give the output of `ledger prove`") from None
    problems = check_proof(data, open_studio(studio).checkpoints.seal())
    if not problems:
        console.print(f"{proof}: entry {data['seq']} is in the signed checkpoint of {data['tree_size']} entries",
                      style="green")
    for problem in problems:
        console.print(f"{proof}: {problem}", style="red")
    raise typer.Exit(1 if problems else 0)


@app.command("export")
def export(
    target: Annotated[Path, typer.Argument(help="The JSON Lines file to write, inside the studio folder.")],
    studio: StudioOption = None,
) -> None:
    """Write every ledger entry as JSON Lines, for legal and business affairs.

    The export names talent and every decision about them, so it stays inside the studio's folder
    (a relative path is taken from there) like every other studio file.
    """
    from greenlight.runtime.ledgerbook import export_ledger
    from greenlight.store.home import check_inside

    home = open_studio(studio)
    target = check_inside(home.home, target)
    count = export_ledger(home, target)
    console.print(f"wrote {count} entries to {target}")


def _print_report(report) -> None:
    counts = report.checkpoints
    if report.ok:
        console.print(f"ledger verified: {report.count} entries, chain intact; every registry row agrees with the "
                      "ledger's events", style="green")
    else:
        console.print(f"ledger broken: {len(report.problems)} problem(s) in {report.count} entries", style="red")
        for problem in report.problems:
            console.print(f"  {problem}")
    if report.protected and report.latest is not None:
        latest = report.latest
        console.print(f"checked against {counts['signed']} signed checkpoint(s) in ledger/checkpoints.jsonl (the "
                      f"latest: {latest.tree_size} entries, {latest.when}, key {latest.key_id[:16]}…), "
                      f"{counts['given']} kept checkpoint(s) given and {counts['manifests']} from output manifests")
    for note in report.notes:
        console.print(f"note: {note}", style="yellow")
