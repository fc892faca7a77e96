"""Loading a local diffusers pipeline and making seeded variations with it. The only previz module that
imports torch and diffusers, and only when called."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from greenlight.engines.previz.models import ModelFolderError, quiet_libraries

StepProgress = Callable[[int, int], None]


@dataclass
class Loaded:
    """A pipeline ready to run, the device it runs on, and what was asked of it."""

    pipe: Any
    device: str
    image_to_image: bool


@dataclass(frozen=True)
class Request:
    """One generation: the same prompt for every seed; ``reference`` makes it image-to-image."""

    prompt: str
    negative: str
    steps: int
    guidance: float
    width: int
    height: int
    strength: float = 0.6
    reference: np.ndarray | None = None


def pick_device(wanted: str) -> str:
    """``cpu`` or ``cuda``: ``auto`` takes CUDA when torch sees a GPU."""
    import torch

    if wanted == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if wanted == "cuda" and not torch.cuda.is_available():
        raise ModelFolderError("device cuda was asked for, but torch sees no GPU", "use --device cpu or auto")
    return wanted


def load_pipeline(folder: str | Path, device: str = "auto", image_to_image: bool = False,
                  attention_slicing: bool = False, vae_tiling: bool = False, cpu_offload: bool = False) -> Loaded:
    """Load the pipeline in ``folder`` from local files only (nothing is ever downloaded).

    Args:
        folder: a checked model folder (``models.check_folder``).
        device: ``auto``, ``cpu`` or ``cuda``; half precision on CUDA, full precision on the CPU.
        image_to_image: give the image-to-image variant of the pipeline, sharing its weights.
        attention_slicing, vae_tiling: lower peak memory at some cost in speed.
        cpu_offload: keep each component on the CPU until it runs (CUDA only; needs accelerate).

    Raises:
        ModelFolderError: diffusers cannot load the folder from local files, or the pipeline has no
            image-to-image variant.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a belt to local_files_only's braces
    quiet_libraries()
    import torch
    from diffusers import AutoPipelineForImage2Image, DiffusionPipeline
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    # Greenlight reports progress itself; the libraries' own bars and notices would only interleave with it.
    diffusers_logging.set_verbosity_error()
    diffusers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    device = pick_device(device)
    dtype = torch.float16 if device == "cuda" else torch.float32
    try:
        pipe = DiffusionPipeline.from_pretrained(str(folder), local_files_only=True, dtype=dtype)
    except (OSError, ValueError, KeyError, TypeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ModelFolderError(f"{folder}: diffusers cannot load this folder from local files ({first})",
                               "copy the whole pipeline folder; nothing is ever downloaded") from None
    if image_to_image:
        try:
            pipe = AutoPipelineForImage2Image.from_pipe(pipe)
        except ValueError:
            raise ModelFolderError(f"{folder}: {type(pipe).__name__} has no image-to-image variant",
                                   "run without --image, or register an image-to-image capable model") from None
    pipe.set_progress_bar_config(disable=True)
    _memory_options(pipe, device, attention_slicing, vae_tiling, cpu_offload)
    return Loaded(pipe, device, image_to_image)


def generate(loaded: Loaded, request: Request, seeds: Sequence[int], progress: StepProgress | None = None) -> list:
    """One RGB ``uint8`` array per seed; variation ``i`` starts from noise drawn with ``seeds[i]`` alone.

    The noise is drawn on the CPU whatever the device, so a seed gives the same starting latents on any
    machine.
    """
    import torch

    generators = [torch.Generator("cpu").manual_seed(int(s)) for s in seeds]
    kwargs: dict[str, Any] = {
        "prompt": request.prompt, "num_inference_steps": request.steps, "guidance_scale": request.guidance,
        "num_images_per_prompt": len(seeds), "generator": generators, "output_type": "np",
    }
    if request.negative:
        kwargs["negative_prompt"] = request.negative
    if loaded.image_to_image:
        kwargs |= {"image": _reference(request), "strength": request.strength}
    else:
        kwargs |= {"width": request.width, "height": request.height}
    parameters = inspect.signature(loaded.pipe.__call__).parameters
    if progress is not None and "callback_on_step_end" in parameters:
        def on_step(pipe: Any, step: int, timestep: Any, tensors: dict) -> dict:
            progress(step + 1, getattr(pipe, "num_timesteps", request.steps) or request.steps)
            return tensors

        kwargs["callback_on_step_end"] = on_step
    with torch.inference_mode():
        images = loaded.pipe(**kwargs).images
    return [np.clip(np.round(np.asarray(i, dtype=np.float32) * 255.0), 0, 255).astype(np.uint8) for i in images]


def native_size(loaded: Loaded) -> tuple[int, int]:
    """The model's own image size (width, height), from its UNet or transformer config."""
    pipe = loaded.pipe
    denoiser = getattr(pipe, "unet", None) or getattr(pipe, "transformer", None)
    sample = getattr(getattr(denoiser, "config", None), "sample_size", None) or 64
    sample = sample[0] if isinstance(sample, list | tuple) else sample
    side = int(sample) * int(getattr(pipe, "vae_scale_factor", 8) or 8)
    return side, side


def _reference(request: Request) -> Any:
    from PIL import Image

    image = Image.fromarray(request.reference)
    # The reference is fitted to the frame size asked for, so the output has the size the artist wants.
    return image.resize((request.width, request.height), Image.Resampling.LANCZOS)


def _memory_options(pipe: Any, device: str, slicing: bool, tiling: bool, offload: bool) -> None:
    if slicing and hasattr(pipe, "enable_attention_slicing"):
        pipe.enable_attention_slicing()
    if tiling and getattr(pipe, "vae", None) is not None and hasattr(pipe.vae, "enable_tiling"):
        pipe.vae.enable_tiling()
    if offload and device == "cuda":
        pipe.enable_model_cpu_offload()
    else:
        pipe.to(device)
