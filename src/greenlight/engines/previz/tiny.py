"""A tiny Stable Diffusion folder with random weights, built from configs: for tests, benchmarks and the demo.

It is a real diffusers pipeline (UNet, VAE, CLIP text encoder, byte-level CLIP tokenizer, DDIM scheduler)
saved with ``save_pretrained``, so it exercises exactly the loading and generation path a studio's own
Stable Diffusion folder takes. Its weights are random: it makes coloured noise, not pictures.
"""

from __future__ import annotations

import json
from pathlib import Path

START, END = "<|startoftext|>", "<|endoftext|>"


def byte_vocabulary() -> dict[str, int]:
    """A CLIP byte-level vocabulary with no merges: every byte is a token, alone or ending a word."""
    symbols = list(_bytes_to_unicode().values())
    vocab = {s: i for i, s in enumerate(symbols)}
    vocab.update({f"{s}</w>": len(symbols) + i for i, s in enumerate(symbols)})
    vocab.update({START: len(vocab), END: len(vocab) + 1})
    return vocab


def build_tiny_pipeline(folder: str | Path, seed: int = 0, width: int = 4, layers: int = 1) -> Path:
    """Write a random Stable Diffusion pipeline folder at ``folder`` and return its path.

    Args:
        folder: where the pipeline goes (created; files in it are replaced).
        seed: the seed of the random weights (the same seed writes the same weights).
        width: channels of the UNet's first block (4 gives ~50 k parameters; 32 a model that takes
            noticeable time per step, for benchmarks).
        layers: layers per UNet block.
    """
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    folder = Path(folder)
    tokens = folder / "tokenizer"
    tokens.mkdir(parents=True, exist_ok=True)
    vocab = byte_vocabulary()
    (tokens / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (tokens / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    tokenizer = CLIPTokenizer.from_pretrained(tokens, model_max_length=77)
    torch.manual_seed(seed)
    blocks = (width, width * 2)
    unet = UNet2DConditionModel(
        block_out_channels=blocks, layers_per_block=layers, sample_size=32, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, norm_num_groups=2, attention_head_dim=2,
    )
    vae = AutoencoderKL(
        block_out_channels=(4, 8), in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=2,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"), sample_size=64,
    )
    text_encoder = CLIPTextModel(CLIPTextConfig(
        bos_token_id=vocab[START], eos_token_id=vocab[END], pad_token_id=vocab[END], vocab_size=len(vocab),
        hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2, max_position_embeddings=77,
    ))
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                              steps_offset=1, set_alpha_to_one=False)
    pipeline = StableDiffusionPipeline(unet=unet, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
                                       scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                       requires_safety_checker=False)
    pipeline.save_pretrained(folder)
    return folder


def _bytes_to_unicode() -> dict[int, str]:
    # GPT-2's reversible map from bytes to printable characters, which CLIP's byte-level BPE uses.
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, (chr(c) for c in codes), strict=True))
