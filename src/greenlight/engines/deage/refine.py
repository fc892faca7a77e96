"""The generative pass: the studio's own diffusion model refines the classical result on the face's skin.

The face is cut out of the crop into an *aligned face frame* (eyes level, at fixed places, the size the
model was trained at), encoded by the model's autoencoder, noised to ``strength`` and denoised towards a
prompt naming the target age. What is carried back is only the change the denoising made: the decoded
refined latents minus the decoded starting latents. The autoencoder's own losses (pores, grain, a soft
edge) cancel out of that difference, so the crop keeps the classical pass's texture at full resolution
and takes from the model only what it changed. The change is laid onto the skin matte alone: eyes,
brows, lips, hair and background are never touched by it.

Video stays stable because the model runs only on keyframes, every time from the same seed; between two
keyframes the change is held in the aligned face frame, moved with the face along its tracked landmarks,
and eased from one keyframe's change to the next over the interval (so it never jumps).

Only this module and ``previz.pipeline`` import torch and diffusers, and only when a pass is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from greenlight.engines.deage.geometry import EYE_L, EYE_R
from greenlight.engines.previz.models import ModelFolderError

# Where the eyes sit in the aligned face frame, as fractions of its side: the face (forehead to chin,
# cheek to cheek) fills the middle of the square, as in the portraits diffusion models learnt faces from.
EYES_AT = 0.40
IOD_SHARE = 0.30
MAX_SIDE = 768  # px: a model's native size above this (SDXL's 1024) is more than a face crop needs


def age_prompt(years: int, age: int | None) -> str:
    """The prompt the face is refined towards: the target age when the talent's age is known."""
    if age is not None:
        return f"photo of the same person, about {age - years} years old, natural skin, fine pores"
    return f"photo of the same person, {years} years younger, natural skin, fine pores"


NEGATIVE = "wrinkles, old, aged skin, plastic skin, makeup, blurry, deformed"


@dataclass(frozen=True)
class RefineSettings:
    """How the model refines each face.

    Attributes:
        prompt, negative: what the face is moved towards, and away from.
        strength: how far the denoising may move from the classical result (0..1).
        steps: denoising steps of the full schedule (``strength`` of them run).
        guidance: how closely to follow the prompt.
        seed: the job's seed: every keyframe starts from the same noise.
        every: refine one frame in ``every`` (1 for a still); the change is carried between.
    """

    prompt: str
    negative: str
    strength: float
    steps: int
    guidance: float
    seed: int
    every: int = 1


class FaceModel:
    """A loaded image-to-image pipeline, as the refiner uses it: aligned face in, the change out.

    Args:
        loaded: from ``previz.pipeline.load_pipeline(..., image_to_image=True)``.

    Raises:
        ModelFolderError: the pipeline has no 4-channel latent autoencoder (the Stable Diffusion family
            has; the refiner hands it latents it encoded itself).
    """

    def __init__(self, loaded: Any) -> None:
        from greenlight.engines.previz.pipeline import native_size

        self.pipe = loaded.pipe
        self.device = loaded.device
        vae = getattr(self.pipe, "vae", None)
        if vae is None or getattr(vae.config, "latent_channels", None) != 4:
            raise ModelFolderError(f"{type(self.pipe).__name__} has no 4-channel latent autoencoder",
                                   "de-age with a Stable Diffusion 1.5/2.x/XL family model")
        factor = int(getattr(self.pipe, "vae_scale_factor", 8) or 8)
        side = min(native_size(loaded)[0], MAX_SIDE)
        self.side = max(factor * 4, side // (factor * 4) * factor * 4)  # the UNet's down-blocks need it

    def change(self, aligned: np.ndarray, settings: RefineSettings) -> np.ndarray:
        """What the model changes on ``aligned`` (float32 RGB 0..1, side × side): refined minus start."""
        import torch

        vae = self.pipe.vae
        scale = float(getattr(vae.config, "scaling_factor", 1.0) or 1.0)
        pixels = torch.from_numpy(np.ascontiguousarray(aligned.transpose(2, 0, 1)))[None] * 2.0 - 1.0
        with torch.inference_mode():
            pixels = pixels.to(self.device, vae.dtype)
            # The mean of the posterior, not a sample: the start is exactly what the classical pass made.
            start = vae.encode(pixels).latent_dist.mode() * scale
            kwargs: dict[str, Any] = {
                "prompt": settings.prompt, "negative_prompt": settings.negative, "image": start,
                "strength": settings.strength, "num_inference_steps": settings.steps,
                "guidance_scale": settings.guidance, "output_type": "latent",
                # Drawn on the CPU whatever the device, so a seed gives the same noise on any machine.
                "generator": torch.Generator("cpu").manual_seed(int(settings.seed)),
            }
            refined = self.pipe(**kwargs).images
            both = vae.decode(torch.cat([refined.to(start.dtype), start]) / scale).sample
        both = both.float().cpu().numpy().transpose(0, 2, 3, 1) / 2.0
        return np.ascontiguousarray(both[0] - both[1], dtype=np.float32)


def alignment(pts: np.ndarray, side: int) -> np.ndarray:
    """The 2×3 similarity taking crop pixels to the aligned face frame of ``side`` pixels."""
    eye_r, eye_l = pts[EYE_R].mean(axis=0), pts[EYE_L].mean(axis=0)
    axis = eye_l - eye_r
    iod = max(float(np.hypot(*axis)), 1e-3)
    zoom = IOD_SHARE * side / iod
    cos, sin = axis / iod * zoom
    rot = np.array([[cos, sin], [-sin, cos]])  # turns the eye line level and scales
    mid = (eye_r + eye_l) / 2.0
    shift = np.array([0.5 * side, EYES_AT * side]) - rot @ mid
    return np.hstack([rot, shift[:, None]])


class DiffusionRefiner:
    """The generative pass of one face track (a ``render.FaceRefiner``): keyframes refined, the change carried.

    Args:
        model: the loaded model, shared by every track of the job.
        settings: prompt, strength, steps, seed and the keyframe interval.
    """

    def __init__(self, model: FaceModel, settings: RefineSettings) -> None:
        self.model = model
        self.settings = settings
        self._frame = 0
        self._from: np.ndarray | None = None  # the change in use when the last keyframe was refined
        self._to: np.ndarray | None = None  # the last keyframe's change
        self._used: np.ndarray | None = None  # the change laid on the last frame

    def __call__(self, source: np.ndarray, classical: np.ndarray, pts: np.ndarray, skin: np.ndarray,
                 strength: float) -> np.ndarray:
        """The classical crop with the model's change laid onto the skin (see ``render.FaceRefiner``)."""
        side = self.model.side
        m = alignment(pts, side)
        if self._frame % self.settings.every == 0:
            aligned = cv2.warpAffine(classical, m, (side, side), flags=cv2.INTER_AREA,
                                     borderMode=cv2.BORDER_REFLECT101)
            self._to = self.model.change(aligned, self.settings)
            self._from = self._to if self._used is None else self._used
        change = self._used = self._now()
        self._frame += 1
        h, w = classical.shape[:2]
        # Back into the crop along this frame's landmarks: the change moves with the face.
        here = cv2.warpAffine(change, m, (w, h), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=(0.0, 0.0, 0.0))
        weight = (np.clip(skin, 0.0, 1.0) * float(strength))[..., None]
        return np.clip(classical + weight * here, 0.0, 1.0).astype(np.float32)

    def _now(self) -> np.ndarray:
        """The change for the current frame: eased from the one in use at the last keyframe to that keyframe's."""
        t = min(1.0, (self._frame % self.settings.every + 1) / self.settings.every)
        return (1.0 - t) * self._from + t * self._to
