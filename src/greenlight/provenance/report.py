"""Turn the manifest-store JSON of the c2pa Reader into a ``ManifestReport``: plain parsing, no c2pa import."""

from __future__ import annotations

from typing import Any

from greenlight.domain import from_plain
from greenlight.provenance.spec import (
    JOB_LABEL,
    LEGACY_TRAINING_LABEL,
    TRAINING_LABEL,
    ActionRecord,
    GreenlightJob,
    IngredientRecord,
    ManifestReport,
)


def report_from_store(path: str, store: dict[str, Any]) -> ManifestReport:
    """Summarise a manifest store (the JSON the c2pa Reader gives) as a ``ManifestReport``."""
    active = store.get("manifests", {}).get(store.get("active_manifest", ""), {})
    results = store.get("validation_results", {})
    status = results.get("activeManifest", {})
    failures = [(f["code"], f.get("explanation", "")) for f in status.get("failure", [])]
    # An ingredient's own problems are reported, marked as such: they do not void this manifest.
    for delta in results.get("ingredientDeltas", []):
        failures += [("ingredient:" + f["code"], f.get("explanation", ""))
                     for f in delta.get("validationDeltas", {}).get("failure", [])]
    codes = [s["code"] for kind in ("success", "informational", "failure") for s in status.get(kind, [])]
    state = {"Trusted": "trusted", "Valid": "valid"}.get(store.get("validation_state", ""), "invalid")
    assertions = {a["label"]: a.get("data", {}) for a in active.get("assertions", [])}
    sig = active.get("signature_info", {})
    return ManifestReport(
        path=path, state=state, failures=tuple(code for code, _ in failures),
        explanations=tuple(text for _, text in failures),
        signer=sig.get("common_name") or sig.get("issuer", ""), title=active.get("title", ""),
        actions=tuple(_actions(assertions)), ingredients=tuple(_ingredients(active)),
        do_not_train=_do_not_train(assertions), job=_job(assertions.get(JOB_LABEL)), codes=tuple(codes))


def _actions(assertions: dict[str, Any]) -> list[ActionRecord]:
    out = []
    for label, data in assertions.items():
        if label.startswith("c2pa.actions"):
            for a in data.get("actions", []):
                agent = a.get("softwareAgent", "")
                agent = agent.get("name", "") if isinstance(agent, dict) else str(agent)
                out.append(ActionRecord(a.get("action", ""), a.get("digitalSourceType", ""), agent))
    return out


def _ingredients(active: dict[str, Any]) -> list[IngredientRecord]:
    return [IngredientRecord(i.get("title", ""), i.get("relationship", ""), "active_manifest" in i)
            for i in active.get("ingredients", [])]


def _do_not_train(assertions: dict[str, Any]) -> bool:
    for label, prefix in ((TRAINING_LABEL, "cawg."), (LEGACY_TRAINING_LABEL, "c2pa.")):
        entries = assertions.get(label, {}).get("entries", {})
        wanted = [entries.get(prefix + use, {}).get("use") for use in ("ai_training", "ai_generative_training")]
        if wanted and all(use == "notAllowed" for use in wanted):
            return True
    return False


def _job(data: Any) -> GreenlightJob | None:
    try:
        return from_plain(GreenlightJob, data) if data else None
    except (ValueError, TypeError, KeyError):
        return None  # a newer or foreign record: report the manifest, not a misread job
