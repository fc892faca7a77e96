"""The studio's model registry: local model folders registered under a name, each pinned by its content hash."""

from __future__ import annotations

from pathlib import Path

from greenlight.domain.model import GenerativeModel
from greenlight.errors import InvalidInput
from greenlight.runtime.studio import Studio


def add_model(studio: Studio, name: str, folder: str | Path, actor: str) -> GenerativeModel:
    """Check a model folder, hash every file in it, and register it as ``name`` (with its ledger entry).

    Raises:
        InvalidInput: the name is empty.
        ModelFolderError: the folder is missing, not a diffusers text-to-image pipeline, or incomplete.
        AlreadyExists: a model of that name is registered.
    """
    from greenlight.engines.previz.models import check_folder, content_hash

    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("the model name is empty", "name it, e.g. `greenlight models add sd15 DIR`")
    with studio.transaction() as tx:
        _refuse_taken(tx, name)
    check = check_folder(folder)
    model = GenerativeModel(name=name, folder=str(check.folder), pipeline=check.pipeline, sha256=content_hash(check),
                            fingerprint=check.fingerprint, files=len(check.files), size=check.size)
    with studio.transaction() as tx:
        tx.registry.add(model)  # AlreadyExists if another command registered the name meanwhile
        tx.record("model.added", model, actor)
    return model


def models(studio: Studio) -> list[GenerativeModel]:
    """Every registered model, oldest first."""
    with studio.transaction() as tx:
        return tx.registry.list(GenerativeModel)


def model_params(model: GenerativeModel) -> dict[str, str]:
    """What a job records about the model it uses: name, hash, fingerprint and folder."""
    return {"model": model.name, "model_sha256": model.sha256, "model_fingerprint": model.fingerprint,
            "model_dir": model.folder}


def _refuse_taken(tx, name: str) -> None:
    from greenlight.errors import AlreadyExists, NotFound

    try:
        tx.registry.model(name)
    except NotFound:
        return
    # Refused before hashing: a large folder takes a while to hash, and the name would be refused anyway.
    raise AlreadyExists(f"a model named {name!r} is already registered", "choose another model name")
