"""Lay a mood board out: the brief as its title, a grid of references with their captions and owners, and a
strip of the board's dominant colours (k-means on the references' pixels), each with its hex code.

Drawing is Pillow's, with the font that ships inside Pillow, so a board looks the same on every machine.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

TILE = (360, 240)  # width, height of one reference on the board
GAP = 16
CAPTION = 44  # room under each tile for two short lines
TITLE = 92
STRIP = 92
# A charcoal ground, not white paper: a flat field near 0 or 255 cannot carry the watermark's ± change (it
# clips), and two-row boards on white lost their mark entirely (docs/benchmarks.md, Mood boards).
PAPER = (56, 56, 58)
INK = (236, 234, 230)
MUTED = (170, 168, 162)


@dataclass(frozen=True)
class Tile:
    """One reference as the board shows it: its pixels, its caption and who owns it."""

    pixels: np.ndarray  # H×W×3 uint8
    caption: str
    owner: str


def palette(tiles: Sequence[np.ndarray], colours: int = 6, seed: int = 0, samples: int = 20_000) -> list[tuple]:
    """The board's dominant colours, most common first: k-means on a seeded sample of the tiles' pixels.

    Returns:
        ``(r, g, b)`` tuples of ints, at most ``colours`` of them (fewer when the pixels hold fewer).
    """
    pixels = np.concatenate([t.reshape(-1, 3) for t in tiles]).astype(np.float32)
    rng = np.random.default_rng(seed)
    if len(pixels) > samples:
        pixels = pixels[rng.choice(len(pixels), samples, replace=False)]
    centres = _kmeans(pixels, min(colours, len(np.unique(pixels, axis=0))), rng)
    labels = _nearest(pixels, centres)
    order = np.argsort(-np.bincount(labels, minlength=len(centres)), kind="stable")
    return [tuple(int(round(v)) for v in centres[i]) for i in order]


def compose(brief: str, tiles: Sequence[Tile], colours: Sequence[tuple]) -> np.ndarray:
    """The board as an RGB array: title, grid of captioned tiles, palette strip."""
    cols = min(len(tiles), 3) if len(tiles) != 4 else 2
    rows = math.ceil(len(tiles) / cols)
    width = max(cols, 2) * (TILE[0] + GAP) + GAP
    height = TITLE + rows * (TILE[1] + CAPTION + GAP) + STRIP + GAP
    board = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(board)
    _title(draw, brief, width)
    for n, tile in enumerate(tiles):
        x = GAP + (n % cols) * (TILE[0] + GAP)
        y = TITLE + (n // cols) * (TILE[1] + CAPTION + GAP)
        board.paste(Image.fromarray(cover(tile.pixels, TILE)), (x, y))
        _caption(draw, tile, x, y + TILE[1] + 4)
    _strip(draw, colours, height - STRIP - GAP // 2, width)
    return np.asarray(board)


def cover(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``pixels`` scaled to fill ``size`` (width, height) and cropped around the centre."""
    image = Image.fromarray(pixels)
    scale = max(size[0] / image.width, size[1] / image.height)
    scaled = image.resize((max(size[0], round(image.width * scale)), max(size[1], round(image.height * scale))),
                          Image.Resampling.LANCZOS)
    left, top = (scaled.width - size[0]) // 2, (scaled.height - size[1]) // 2
    return np.asarray(scaled.crop((left, top, left + size[0], top + size[1])))


def _title(draw: ImageDraw.ImageDraw, brief: str, width: int) -> None:
    font = ImageFont.load_default(size=24)
    chars = max(20, int(width / 13))
    lines = textwrap.wrap(brief, chars)[:2]
    if len(textwrap.wrap(brief, chars)) > 2:
        lines[-1] = lines[-1][: chars - 1] + "…"
    draw.multiline_text((GAP, 14), "\n".join(lines), fill=INK, font=font, spacing=6)


def _caption(draw: ImageDraw.ImageDraw, tile: Tile, x: int, y: int) -> None:
    font, small = ImageFont.load_default(size=15), ImageFont.load_default(size=12)
    text = textwrap.shorten(tile.caption, 48, placeholder="…")
    draw.text((x, y), text, fill=INK, font=font)
    draw.text((x, y + 20), textwrap.shorten(f"© {tile.owner}", 56, placeholder="…"), fill=MUTED, font=small)


def _strip(draw: ImageDraw.ImageDraw, colours: Sequence[tuple], top: int, width: int) -> None:
    font = ImageFont.load_default(size=13)
    swatch = (width - GAP * 2) / max(len(colours), 1)
    for n, rgb in enumerate(colours):
        left = GAP + n * swatch
        draw.rectangle((left, top, left + swatch - 6, top + STRIP - 30), fill=tuple(rgb))
        draw.text((left, top + STRIP - 24), "#{:02x}{:02x}{:02x}".format(*rgb), fill=INK, font=font)


def _kmeans(pixels: np.ndarray, k: int, rng: np.random.Generator, rounds: int = 12) -> np.ndarray:
    # k-means++ seeding: spread starting colours, so a small bright accent is not swallowed by the greys.
    centres = [pixels[rng.integers(len(pixels))]]
    for _ in range(1, k):
        far = np.min(((pixels[:, None] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        centres.append(pixels[rng.choice(len(pixels), p=far / far.sum())] if far.sum() else pixels[0])
    centres = np.array(centres)
    for _ in range(rounds):
        labels = _nearest(pixels, centres)
        moved = np.array([pixels[labels == i].mean(0) if np.any(labels == i) else centres[i] for i in range(k)])
        if np.allclose(moved, centres, atol=0.5):
            break
        centres = moved
    return centres


def _nearest(pixels: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return np.argmin(((pixels[:, None] - centres[None]) ** 2).sum(-1), axis=1)
