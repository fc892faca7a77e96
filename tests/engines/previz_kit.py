"""What the previz tests share: the engine's entry point, a tiny random pipeline folder, a studio that owns it.

The tiny pipeline is a real diffusers Stable Diffusion (UNet, VAE, CLIP text encoder, byte-level CLIP
tokenizer) with random weights, built from configs and saved with ``save_pretrained``: tests run the
same loading and generation code a studio's own model folder does, offline, in well under a second.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = "BUNKER"
BRIEF = "a concrete bunker corridor at dawn, wet floor, sodium lamps"
FAST = {"n": 2, "steps": 2, "width": 64, "height": 64}


def ensure_engine_entry_points(folder: Path) -> None:
    """Make the engines named in pyproject.toml findable by entry point, when the installed metadata
    predates them (a working tree run with PYTHONPATH before ``pip install -e`` ran again)."""
    from greenlight.engines.base import ENTRY_POINT_GROUP, available_engines

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"][ENTRY_POINT_GROUP]
    missing = {name: target for name, target in declared.items() if name not in available_engines()}
    if not missing:
        return
    info = folder / "greenlight_engines_under_test-0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: greenlight-engines-under-test\nVersion: 0\n")
    lines = "".join(f"{name} = {target}\n" for name, target in missing.items())
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}")
    sys.path.append(str(folder))


@pytest.fixture(scope="session", autouse=True)
def previz_entry_point(tmp_path_factory):
    ensure_engine_entry_points(tmp_path_factory.mktemp("entry-points"))


@pytest.fixture(scope="session")
def tiny_model_source(tmp_path_factory) -> Path:
    """One tiny random pipeline folder for the session (never changed: copy it to change it)."""
    from greenlight.engines.previz.tiny import build_tiny_pipeline

    return build_tiny_pipeline(tmp_path_factory.mktemp("models") / "tiny-sd")


@pytest.fixture
def tiny_model(tiny_model_source, tmp_path) -> Path:
    """A copy of the tiny pipeline that the test may change or delete."""
    return Path(shutil.copytree(tiny_model_source, tmp_path / "tiny-sd"))


@pytest.fixture
def previz_studio(tmp_path, tiny_model, monkeypatch):
    """A studio with keys, the production BUNKER, and the tiny model registered as ``tiny``."""
    from greenlight.provenance import init_keys
    from greenlight.runtime.models import add_model
    from greenlight.runtime.registry import add_production
    from greenlight.runtime.signing import keys_folder
    from greenlight.runtime.studio import Studio

    monkeypatch.delenv("GREENLIGHT_DATABASE_URL", raising=False)
    studio = Studio.create(tmp_path / "studio")
    init_keys(keys_folder(studio))
    add_production(studio, PRODUCTION, "Bunker", "test")
    studio.model = add_model(studio, "tiny", tiny_model, "test")
    studio.model_dir = tiny_model
    return studio


def previz_params(model, brief: str = BRIEF, **overrides) -> dict:
    """A previz job's parameters for the registered ``model``: two 64² frames in two steps unless overridden."""
    from greenlight.runtime.models import model_params

    return {"brief": brief, **model_params(model), **FAST, **overrides}
