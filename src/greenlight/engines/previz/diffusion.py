"""The ``previz`` engine: concept frames for sets and costumes from the studio's own diffusion model.

Steps (fixed, in this order): check parameters and the model folder (still the registered bytes) →
load the pipeline from local files (image-to-image when a reference is given) → make ``n`` variations,
variation ``i`` from seed ``seed + i`` → write each as PNG → write the contact sheet of all of them
with their seeds. The runtime has screened the brief before this runs, scans every frame for faces
after, signs and watermarks them, and puts them in review.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from greenlight.engines.base import EngineInfo, EngineOutput, EngineRequest, Progress
from greenlight.engines.previz.params import PrevizParams
from greenlight.errors import InvalidInput

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


class PrevizEngine:
    """Text (and optionally a reference image) to concept frames, with a local diffusers pipeline."""

    info = EngineInfo(
        name="previz",
        version="1.0.0",
        summary="Concept frames of sets and costumes from a brief (and a reference image) with the studio's "
        "own diffusion model: seeded variations and a contact sheet for the reviewer.",
        action="c2pa.created",
        source_type=IPTC + "trainedAlgorithmicMedia",
        likeness_use="previs",
        makes=("image",),
    )

    def check_inputs(self, request: EngineRequest) -> None:
        """Refuse a request that cannot run, before anything is stored; the model is not loaded.

        Raises:
            InvalidInput: parameters missing, unknown or out of range, or more than one reference.
            ModelFolderError: the model folder is gone, no longer a usable pipeline, or its files changed.
            MediaError: the reference image cannot be read.
        """
        from greenlight.engines.previz.models import check_unchanged

        params = PrevizParams.parse(request.params)
        if len(request.inputs) > 1:
            raise InvalidInput(f"previz takes at most one reference image, got {len(request.inputs)}")
        for path in request.inputs:
            _check_reference(Path(path))
        check_unchanged(params.model_dir, params.model_fingerprint, params.model_sha256, params.model)

    def run(self, request: EngineRequest, workdir: Path, progress: Progress) -> list[EngineOutput]:
        """Make the variations and their contact sheet in ``workdir``.

        Raises:
            As :meth:`check_inputs`; ModelFolderError when diffusers cannot load the folder.
        """
        from greenlight.engines.previz import pipeline
        from greenlight.media import load_image, save_image

        self.check_inputs(request)
        params = PrevizParams.parse(request.params)
        reference = load_image(request.inputs[0]) if request.inputs else None
        progress(0.0, f"loading model {params.model}")
        loaded = pipeline.load_pipeline(params.model_dir, params.device, reference is not None,
                                        params.attention_slicing, params.vae_tiling, params.cpu_offload)
        width, height = _size(params, loaded, reference)
        gen = pipeline.Request(params.brief, params.negative, params.steps, float(params.guidance), width, height,
                               float(params.strength), reference)
        seeds = [request.seed + i for i in range(params.n)]
        frames = _variations(loaded, gen, seeds, params.batch or params.n, progress)
        notes = self._notes(params, loaded.device, width, height)
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        outputs = [EngineOutput(save_image(workdir / f"previz_{i + 1:02d}_seed{seed}.png", frame), "image",
                                "variation", {**notes, "seed": seed, "variation": i + 1})
                   for i, (frame, seed) in enumerate(zip(frames, seeds, strict=True))]
        outputs.append(self._sheet(frames, seeds, params, workdir, notes))
        progress(1.0, f"made {len(frames)} variation(s) and their contact sheet")
        return outputs

    @staticmethod
    def _sheet(frames: list, seeds: list[int], params: PrevizParams, workdir: Path,
               notes: dict[str, Any]) -> EngineOutput:
        from greenlight.engines.previz.sheet import contact_sheet
        from greenlight.media import save_image

        path = save_image(workdir / "previz_contact_sheet.png", contact_sheet(frames, seeds, params.brief))
        return EngineOutput(path, "image", "contact-sheet", {**notes, "seed": seeds[0], "seeds": seeds})

    @staticmethod
    def _notes(params: PrevizParams, device: str, width: int, height: int) -> dict[str, Any]:
        return {"model": f"{params.model} (sha256:{params.model_sha256})", "model_sha256": params.model_sha256,
                "steps": params.steps, "guidance": params.guidance, "size": [width, height], "device": device}


def _variations(loaded: Any, gen: Any, seeds: list[int], batch: int, progress: Progress) -> list:
    from greenlight.engines.previz.pipeline import generate

    frames: list = []
    for start in range(0, len(seeds), batch):
        chunk = seeds[start:start + batch]

        def step(done: int, total: int, start: int = start, size: int = len(chunk)) -> None:
            fraction = (start + size * done / max(total, 1)) / len(seeds)
            what = f"variations {start + 1}–{start + size} of {len(seeds)}"
            progress(0.05 + 0.9 * fraction, f"{what}: step {done}/{total}")

        frames += generate(loaded, gen, chunk, step)
    return frames


def _size(params: PrevizParams, loaded: Any, reference: Any) -> tuple[int, int]:
    from greenlight.engines.previz.pipeline import native_size

    if params.width and params.height:
        return params.width, params.height
    if reference is not None and not (params.width or params.height):
        h, w = reference.shape[:2]
        return max(8, w // 8 * 8), max(8, h // 8 * 8)
    native_w, native_h = native_size(loaded)
    return params.width or native_w, params.height or native_h


def _check_reference(path: Path) -> None:
    from greenlight.media import check_media, media_kind

    check_media(path)
    if media_kind(path) != "image":
        raise InvalidInput(f"{path}: the reference must be an image (a sketch, a location photo)",
                           "give a PNG or JPEG")
