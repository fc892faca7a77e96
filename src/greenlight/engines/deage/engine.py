"""The ``deage`` engine: make one enrolled talent look younger in a clip or a still.

Steps (fixed, in this order): check inputs → find and follow the talent's face (HOG on keyframes,
landmarks every frame, each track identified against the talent's enrolled embeddings) → smooth
landmarks over each track → per frame, in a crop around the face: skin matte, FaceMesh under-eye
outlines, frequency-separation retouch at the face's own scale (lines removed, spots, pores and
grain kept), bags and folds flattened, tone evened, optional lower-face reshaping → with ``model``,
the studio's own diffusion model refines the skin of the classical result towards the target age
(keyframes, one seed, the change carried along the landmarks: ``refine``) → write the result with the
same size, frame rate, frame count and audio. Other people's faces are never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from greenlight.engines.base import EngineInfo, EngineOutput, EngineRequest, Progress
from greenlight.engines.deage.params import DeageParams, talent_embeddings
from greenlight.engines.deage.pipeline import analyse_video, deage_image, render_frames
from greenlight.engines.deage.retouch import Amounts, amounts_for
from greenlight.engines.deage.streaming import prefetch, reporting
from greenlight.engines.deage.tracking import FaceTracker
from greenlight.errors import InvalidInput
from greenlight.likeness import FaceAnalyzer
from greenlight.media import check_media, load_image, media_kind, probe_video, save_image, write_video

_NOT_FOUND_HINT = "check the talent id, and that their face is visible and turned towards the camera"


class DeageEngine:
    """De-aging of one consenting talent in footage or stills (CPU, built in).

    Args:
        analyzer: the face analyzer to use (default: a new ``likeness.FaceAnalyzer``; its models
            load on first use and are shared).
    """

    info = EngineInfo(
        name="deage",
        version="1.3.0",
        summary="Make one enrolled talent look younger in a clip or still: fewer lines, even tone, "
        "subtle lower-face reshaping; identity kept, temporally stable, other faces untouched.",
        action="c2pa.edited",
        source_type="http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",
        likeness_use="digital-alteration",
    )

    def __init__(self, analyzer: FaceAnalyzer | None = None) -> None:
        self.analyzer = analyzer or FaceAnalyzer()
        self._model: Any = None  # the generative pass's model, loaded for the run that names one
        self._seed = 0

    def check_inputs(self, request: EngineRequest) -> None:
        """Refuse a request that cannot run, naming the problem.

        Raises:
            InvalidInput: parameters missing, unknown or out of range (years outside 5..30), no
                enrolled embeddings for the talent, or no input.
            MediaError: an input is missing, not an image or a video, or unreadable.
            ModelFolderError: a model is named and its folder is gone, no longer a usable pipeline,
                or its files changed since it was registered.
        """
        params = DeageParams.parse(request.params)
        talent_embeddings(request.likeness, params.talent_id)
        if not request.inputs:
            raise InvalidInput("no input given", "give a clip or an image showing the talent")
        for path in request.inputs:
            check_media(path)
        if params.model:
            from greenlight.engines.previz.models import check_unchanged

            check_unchanged(params.model_dir, params.model_fingerprint, params.model_sha256, params.model)

    def run(self, request: EngineRequest, workdir: Path, progress: Progress) -> list[EngineOutput]:
        """De-age the talent in every input; write one output per input into ``workdir``.

        Stills come back as PNG (lossless: every pixel but the talent's face stays bit-identical);
        clips as H.264 MP4 with the source's audio stream copied.

        Raises:
            InvalidInput: as :meth:`check_inputs`, or the talent's face is not found in an input.
            MediaError: as :meth:`check_inputs`, or the output cannot be written.
        """
        self.check_inputs(request)
        params = DeageParams.parse(request.params)
        talent = talent_embeddings(request.likeness, params.talent_id)
        amounts = amounts_for(params.years, params.reshape)
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        self._model, self._seed = None, request.seed  # nothing of an earlier run's model is left in use
        self._model = self._load(params, progress) if params.model else None
        outputs = []
        inputs = [Path(p) for p in request.inputs]
        for i, path in enumerate(inputs):
            def part(f: float, msg: str, i: int = i) -> None:
                progress((i + f) / len(inputs), msg)

            if media_kind(path) == "image":
                outputs.append(self._image(path, workdir, talent, amounts, params, part))
            else:
                outputs.append(self._video(path, workdir, talent, amounts, params, part))
        progress(1.0, "done")
        return outputs

    def _image(self, path: Path, workdir: Path, talent: np.ndarray, amounts: Amounts, params: DeageParams,
               progress: Progress) -> EngineOutput:
        progress(0.0, f"finding {params.talent_id} in {path.name}")
        out, faces = deage_image(load_image(path), self.analyzer, talent, amounts, self._refiner(params, 1))
        if not faces:
            raise InvalidInput(f"{path}: no face of talent {params.talent_id!r} found", _NOT_FOUND_HINT)
        dest = save_image(workdir / f"{path.stem}.deaged.png", out)
        progress(1.0, f"wrote {dest.name}")
        faces_note = [{"box": [b.left, b.top, b.right, b.bottom], "identity_distance": round(d, 4)} for b, d in faces]
        return EngineOutput(dest, "image", notes={**self._notes(params, 1), "faces": faces_note})

    def _video(self, path: Path, workdir: Path, talent: np.ndarray, amounts: Amounts, params: DeageParams,
               progress: Progress) -> EngineOutput:
        info = probe_video(path)
        # Four looks a second: a face that turns up is found within a quarter second.
        tracker = FaceTracker(self.analyzer, talent, keyframe_every=max(2, round(info.fps / 4)), fps=info.fps)
        plans = analyse_video(path, tracker, info.frame_count, info.fps, lambda f, m: progress(0.25 * f, m))
        if not plans:
            raise InvalidInput(f"{path}: no face of talent {params.talent_id!r} found", _NOT_FOUND_HINT)
        # Decoding and retouching run a few frames ahead of the encoder, in a worker thread.
        every = max(1, round(info.fps / 4))  # the generative pass's keyframes: four a second
        frames = reporting(prefetch(render_frames(path, plans, amounts, self._refiner(params, every))),
                           info.frame_count,
                           lambda f, m: progress(0.25 + 0.75 * f, m), "de-aging")
        dest = write_video(workdir / f"{path.stem}.deaged.mp4", frames, info.fps,
                           audio_from=path if info.has_audio else None)
        tracks: list[dict[str, Any]] = [
            {"first_frame": p.track.start, "last_frame": p.track.start + len(p.points) - 1,
             "identity_distance": round(float(p.track.distance), 4)}
            for p in plans
        ]
        notes = {**self._notes(params, every), "frames": info.frame_count, "tracks": tracks}
        return EngineOutput(dest, "video", notes=notes)

    @staticmethod
    def _load(params: DeageParams, progress: Progress) -> Any:
        from greenlight.engines.deage.refine import FaceModel
        from greenlight.engines.previz.pipeline import load_pipeline

        progress(0.0, f"loading model {params.model}")
        return FaceModel(load_pipeline(params.model_dir, params.device, image_to_image=True))

    def _refiner(self, params: DeageParams, every: int) -> Callable[[], Any] | None:
        """Makes one generative pass per face track, or None for the classical pass alone."""
        if self._model is None:
            return None
        from greenlight.engines.deage.refine import DiffusionRefiner

        settings = self._settings(params, every)
        return lambda: DiffusionRefiner(self._model, settings)

    def _settings(self, params: DeageParams, every: int) -> Any:
        from greenlight.engines.deage.refine import NEGATIVE, RefineSettings, age_prompt

        return RefineSettings(age_prompt(params.years, params.age), NEGATIVE, params.strength, params.steps,
                              params.guidance, self._seed, every)

    def _notes(self, params: DeageParams, every: int) -> dict[str, Any]:
        notes: dict[str, Any] = {"talent_id": params.talent_id, "years": params.years, "reshape": params.reshape}
        if params.model:
            settings = self._settings(params, every)
            # The model's identity goes into the output's Content Credentials, as previz records it.
            notes |= {"model": f"{params.model} (sha256:{params.model_sha256})", "model_sha256": params.model_sha256,
                      "strength": params.strength, "steps": params.steps, "guidance": params.guidance,
                      "prompt": settings.prompt, "refined_every": every, "device": self._model.device,
                      "seed": self._seed}
        return notes
