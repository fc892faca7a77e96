"""What the generative de-aging pass costs per face with a model of Stable Diffusion 1.5's size.

No real weights are needed to measure compute: the UNet (860 M parameters), the autoencoder and the CLIP
ViT-L text encoder are built from SD 1.5's configs with random weights, in memory (nothing is written or
downloaded), and ``engines/deage/refine.FaceModel.change`` is timed on one aligned 512×512 face, exactly
as the engine calls it on a keyframe. The pictures it makes are noise; the seconds are those a real SD 1.5
folder would take on the same machine.

Usage:
    .venv/bin/python bench/deage_refine_cost.py [--steps 20] [--strength 0.35] [--device cpu] [--repeat 1] [--warm-up]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def sd15_pipeline():
    """A StableDiffusionImg2ImgPipeline with SD 1.5's architecture and random weights."""
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionImg2ImgPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    from greenlight.engines.previz.tiny import END, START, byte_vocabulary

    torch.manual_seed(0)
    vocab = byte_vocabulary()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
        (Path(tmp) / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
        tokenizer = CLIPTokenizer.from_pretrained(tmp, model_max_length=77)
    unet = UNet2DConditionModel(sample_size=64, cross_attention_dim=768, attention_head_dim=8)  # SD 1.5's
    vae = AutoencoderKL(block_out_channels=(128, 256, 512, 512), layers_per_block=2, latent_channels=4,
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                        sample_size=512)
    text = CLIPTextModel(CLIPTextConfig(vocab_size=len(vocab), hidden_size=768, intermediate_size=3072,
                                        num_attention_heads=12, num_hidden_layers=12, max_position_embeddings=77,
                                        bos_token_id=vocab[START], eos_token_id=vocab[END], pad_token_id=vocab[END]))
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                              steps_offset=1, set_alpha_to_one=False)
    pipe = StableDiffusionImg2ImgPipeline(unet=unet, vae=vae, text_encoder=text, tokenizer=tokenizer,
                                          scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                          requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def main() -> None:
    from greenlight.engines.deage.refine import NEGATIVE, FaceModel, RefineSettings, age_prompt
    from greenlight.engines.previz.pipeline import Loaded

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--strength", type=float, default=0.35)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--warm-up", action="store_true", help="run once untimed first")
    args = parser.parse_args()
    import torch

    pipe = sd15_pipeline()
    if args.device == "cuda":
        pipe = pipe.to("cuda", torch.float16)
    params = sum(p.numel() for p in pipe.unet.parameters())
    model = FaceModel(Loaded(pipe, args.device, True))
    settings = RefineSettings(age_prompt(20, None), NEGATIVE, args.strength, args.steps, 7.5, seed=0)
    face = np.random.default_rng(0).random((model.side, model.side, 3), dtype=np.float32)
    if args.warm_up:
        model.change(face, settings)  # first-call allocations (small beside minutes on a CPU)
    times, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        model.change(face, settings)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"UNet {params / 1e6:.0f} M parameters, face {model.side}×{model.side}, {args.steps} steps at strength "
          f"{args.strength} ({int(args.steps * args.strength)} run, guidance on: batch 2), device {args.device}, "
          f"torch threads {torch.get_num_threads()}, load {os.getloadavg()[0]:.1f}")
    # Wall time depends on what else the cores run; CPU time (all threads) is steadier on a shared machine.
    print(f"seconds per keyframe: {np.median(times):.1f} wall, {np.median(cpu):.1f} CPU (median of {args.repeat})")


if __name__ == "__main__":
    main()
