"""`greenlight ledger checkpoint|prove|verify --checkpoint`: exported heads, inclusion proofs, one-line errors."""

import json
from pathlib import Path

from greenlight.ledger.proof import check_proof
from greenlight.provenance.keys import load_seal
from tests.cli.conftest import one_line_error


def test_a_decision_is_proved_in_the_signed_checkpoint(cli, tmp_path):
    assert cli("keys", "init").code == 0
    cli("production", "add", "NIGHTFALL", "Nightfall")
    screened = cli("screen", "a quiet street at night in the rain", "--production", "NIGHTFALL", "--use", "previs",
                   "--json")
    decision = json.loads(screened.out)["id"]
    cli("talent", "add", "Jane Doe")
    run = cli("ledger", "prove", decision)
    assert run.code == 0, run.err
    proof = json.loads(run.out)
    assert proof["event"]["subject"] == decision and proof["checks"] == ["ok"]
    assert proof["tree_size"] == proof["checkpoint"]["tree_size"] >= proof["seq"]
    saved = tmp_path / "proof.json"
    saved.write_text(run.out)
    checked = cli("ledger", "check-proof", saved)
    assert checked.code == 0 and f"entry {proof['seq']} is in the signed checkpoint" in checked.out
    seal = load_seal(Path(cli.home) / "keys")
    del proof["checks"]
    assert check_proof(proof, seal) == []
    proof["audit_path"] = proof["audit_path"][::-1] if len(proof["audit_path"]) > 1 else ["00" * 32]
    assert check_proof(proof, seal) != []
    saved.write_text(json.dumps(proof))
    assert cli("ledger", "check-proof", saved).code == 1


def test_check_proof_of_a_missing_or_unreadable_file_says_which(cli, tmp_path):
    missing = cli("ledger", "check-proof", tmp_path / "proof.json")
    assert missing.code == 2 and "proof.json: no such file" in missing.err, missing
    (tmp_path / "notes.json").write_text("not json")
    garbled = cli("ledger", "check-proof", tmp_path / "notes.json")
    assert garbled.code == 2 and "notes.json: not a readable inclusion proof" in garbled.err, garbled


def test_an_exported_checkpoint_is_signed_and_holds_no_names(cli, tmp_path):
    cli("keys", "init")
    cli("talent", "add", "Jane Doe")
    target = tmp_path / "for-legal.json"
    run = cli("ledger", "checkpoint", target)
    assert run.code == 0 and "signed checkpoint of 2 entries" in run.out, run
    kept = json.loads(target.read_text())
    assert kept["tree_size"] == 2 and kept["signature"] and "BEGIN CERTIFICATE" in kept["signer_chain"]
    assert "Jane" not in target.read_text()
    printed = json.loads(cli("ledger", "checkpoint").out)
    assert printed["root_hash"] == kept["root_hash"]


def test_checkpoint_without_keys_and_a_bad_kept_file_are_one_line_errors(cli, tmp_path):
    cli("talent", "add", "Jane Doe")
    one_line_error(cli("ledger", "checkpoint", tmp_path / "x.json"), "no signing key", "greenlight keys init")
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": 1}')
    one_line_error(cli("ledger", "verify", "--checkpoint", bad), str(bad), "not a Greenlight ledger checkpoint")
    one_line_error(cli("ledger", "verify", "--checkpoint", tmp_path / "absent.json"), "absent.json")
    (tmp_path / "empty").mkdir()  # a wrong folder passed as "0 kept checkpoint(s) given", exit 0
    one_line_error(cli("ledger", "verify", "--checkpoint", tmp_path / "empty"), "empty", "no checkpoint files")
    one_line_error(cli("ledger", "prove", "dec_nothing"), "no ledger entry 'dec_nothing'")
