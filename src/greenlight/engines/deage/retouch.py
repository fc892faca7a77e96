"""Skin retouch by frequency separation at the face's own scale: lines gone, pores and grain kept.

Band widths are measured on the face, not the frame: ``unit`` is the jaw line's span divided by 256,
so the same lines are found on a wide shot and on a 1000-px close-up. The luminance of the crop is
split into five layers:

* ``fine`` (below σ 1 unit): pores, film grain, stubble, sensor noise: kept almost whole;
* ``lines`` (σ 1 to 4 units): fine lines, crow's feet, forehead lines, the edges of creases;
* ``creases`` (σ 4 units up to the base): deeper creases and the narrow part of folds;
* ``base``: a skin-only low-pass (normalised convolution: only skin pixels enter it, so brows,
  lashes, lips and hair never bleed into it), everything wider than about 10 units: the face's shape
  and lighting;
* ``broad``, a wider skin mean that bags, troughs and folds are flattened towards.

De-aging scales ``lines`` and ``creases`` down by an amount that grows with the years, taking more of
their dark side (lines are valleys; the small highlights between them are the sheen young skin has),
flattens the base towards ``broad`` a little everywhere (evener skin) and much more under the eyes,
along the nasolabial and marionette folds and at the crow's feet, and lifts the skin's luminance a
little. Chroma blotches are pulled towards the skin's local mean colour.

The base layers and the tone correction are smooth, so the caller computes them on a downscaled
working copy and resizes them up; only ``fine`` and ``lines`` are formed at full resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BASE_SIGMA = 3.0  # px at 360p scale: the base holds what is wider than ~12 px
BROAD_SIGMA = 6.6  # px at 360p scale: the mean that bags and folds are flattened towards
FINE_SIGMA = 1.0  # units (jaw span / 256): below this is pore/grain texture, kept
FINE_FLOOR = 0.8  # px: on a small face the pixel-level grain is kept, whatever the unit
LINE_SIGMA = 4.0  # units: lines lie between FINE_SIGMA and this, creases between this and the base
BRIGHT_KEPT = 0.1  # share of a band's bright side (sheen) always kept
FEATURE_EDGE = 0.35  # the blend follows the matte to this power: full effect close to lids, folds and lips
REGION_LINES = 1.0  # share of the spot rule lifted inside the bag, crow's-feet and fold regions
SPOT_KEPT = 0.6  # share of a round spot (freckle, mole, pore cluster) kept that a line of its size loses


@dataclass(frozen=True)
class Amounts:
    """How hard each step works, from the years to take off (see :func:`amounts_for`).

    Attributes:
        mid: gain left on the dark side of the line and crease bands (1 = untouched, 0 = removed).
        fine: gain left on the pore/grain band.
        regions: how much of the bag/trough/fold shading to flatten (0..1).
        tone: how much of the chroma blotchiness to remove (0..1).
        reshape: scale of the lower-face reshaping (0 = none).
        even: how much of the skin's broad shading to flatten everywhere (0..1).
        lift: luminance added to the skin (0..1 scale): young skin reflects a little more.
    """

    mid: float
    fine: float
    regions: float
    tone: float
    reshape: float
    even: float = 0.0
    lift: float = 0.0


def amounts_for(years: int, reshape: bool = True) -> Amounts:
    """The retouch strengths for taking ``years`` off a face.

    Args:
        years: 5..30.
        reshape: whether to reshape the lower face.

    Returns:
        The amounts. Each grows with ``years`` over the whole 5..30 range: the wrinkle band's dark
        side goes as (1 − t)^1.5 (t = years / 30: 76 % kept at 5 years, 19 % at 20, none at 30; gentler
        than the square it was, because the line removal now reaches the lids, the temples and the
        feature edges, and the identity a 1080p clip keeps is the limit), the
        regional, tone, evening, lift and shape steps as t^0.7 (fast at first, as lines deepen fastest in the first
        decades they appear). Pores and grain are always kept almost whole (95 % at 30 years).
    """
    t = float(np.clip(years / 30.0, 0.0, 1.0))
    ease = t**0.7
    return Amounts(
        mid=(1.0 - t) ** 1.5,
        fine=1.0 - 0.05 * t,
        regions=ease,
        tone=0.6 * ease,
        reshape=ease if reshape else 0.0,
        even=0.15 * ease,
        lift=0.006 * ease,
    )


def masked_mean(x: np.ndarray, weight: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian mean of ``x`` over the pixels ``weight`` selects (normalised convolution).

    Args:
        x: float32 image.
        weight: float32 weights 0..1, same size.
        sigma: Gaussian sigma in pixels.

    Returns:
        The local weighted mean; where no weight is near, a value from the nearest weighted pixels.
    """
    num = cv2.GaussianBlur(x * weight, (0, 0), sigma)
    den = cv2.GaussianBlur(weight, (0, 0), sigma)
    return num / np.maximum(den, 1e-4)


def base_layers(y: np.ndarray, skin: np.ndarray, scale: float, unit: float) -> tuple[np.ndarray, ...]:
    """The skin-only low-pass layers of the luminance.

    Args:
        y: float32 luminance (usually of the working copy).
        skin: skin matte at the same size.
        scale: face size relative to 360p scale, at this size.
        unit: the face's jaw span / 256, at this size.

    Returns:
        (wide, base, broad): the low-pass at ``LINE_SIGMA`` units, the base layer, and the wider mean
        bags and folds are flattened towards.
    """
    s = max(scale, 0.35)
    w = np.clip(skin, 0.0, 1.0)
    wide = masked_mean(y, w, max(LINE_SIGMA * unit, 0.5))
    return wide, masked_mean(y, w, BASE_SIGMA * s), masked_mean(y, w, BROAD_SIGMA * s)


def tone_shift(ycc: np.ndarray, skin: np.ndarray, scale: float, amount: float) -> np.ndarray:
    """The chroma correction that evens the skin tone: blotches pulled towards the local mean.

    Blotches (redness, broken veins, sun spots) are chroma deviations a few pixels across at
    360p scale; the reference is the skin's own mean colour over a wider, skin-only window (so lips,
    eyes and hair never pull the colour), but not so wide that the cheeks' flush is evened away.

    Args:
        ycc: the crop in float32 YCrCb, usually the working copy (chroma is low-frequency anyway).
        skin: skin matte at the same size.
        scale: face size relative to 360p scale, at this size.
        amount: 0..1, share of the blotchiness removed.

    Returns:
        (h, w, 2) float32 to subtract from the Cr and Cb channels.
    """
    s = max(scale, 0.35)
    w = np.clip(skin, 0.0, 1.0)
    shift = np.zeros((*ycc.shape[:2], 2), np.float32)
    for i, ch in enumerate((1, 2)):
        c = np.ascontiguousarray(ycc[..., ch])
        low = cv2.GaussianBlur(c, (0, 0), 1.5 * s)
        shift[..., i] = amount * (low - masked_mean(c, w, 5 * s))
    return shift


def line_likeness(y: np.ndarray, unit: float) -> np.ndarray:
    """How much the structure at each pixel is a line rather than a spot: 0 (round) to 1 (a line).

    The coherence of the structure tensor, ((λ1 − λ2) / (λ1 + λ2))², over a window of 2 units: a
    wrinkle has one dominant gradient direction, a freckle, a mole or a pore has all of them.
    """
    gx = cv2.Sobel(y, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(y, cv2.CV_32F, 0, 1, ksize=3)
    rho = max(2.0 * unit, 0.8)
    jxx, jyy, jxy = (cv2.GaussianBlur(g, (0, 0), rho) for g in (gx * gx, gy * gy, gx * gy))
    spread = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2)
    return (spread / np.maximum(jxx + jyy, 1e-6)) ** 2


def _gain(band: np.ndarray, dark: float) -> np.ndarray:
    """Per-pixel gain on a band: ``dark`` on its dark side, more kept on its bright side (sheen)."""
    return np.where(band < 0, dark, BRIGHT_KEPT + (1 - BRIGHT_KEPT) * dark).astype(np.float32)


def retouch(
    rgb: np.ndarray,
    layers: tuple[np.ndarray, np.ndarray, np.ndarray],
    regions: np.ndarray,
    skin: np.ndarray,
    unit: float,
    amounts: Amounts,
    tone: np.ndarray | None = None,
    gate: np.ndarray | None = None,
) -> np.ndarray:
    """Retouch the skin of one face crop.

    Args:
        rgb: the crop, float32 RGB in 0..1, full resolution.
        layers: (wide, base, broad) from :func:`base_layers`, resized to the crop.
        regions: under-eye, crow's-feet and fold matte, 0..1, same size.
        skin: the final skin matte (after the colour gate and temporal smoothing), 0..1.
        unit: the face's jaw span / 256 in crop pixels (the band widths' unit).
        amounts: strengths from :func:`amounts_for`.
        tone: chroma shift from :func:`tone_shift`, resized to the crop (None: no tone evening).
        gate: the skin-colour gate alone (``masks.skin_gate``), 0..1, same size: the blend is
            multiplied by it once more, so a pixel of hair (a moustache's edge, a fringe, a light
            brow) the skin matte takes in partly is barely changed, not lightened towards the skin.

    Returns:
        The retouched crop, float32 RGB, equal to ``rgb`` wherever ``skin`` is 0.
    """
    wide, base, broad = layers
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    y = np.ascontiguousarray(ycc[..., 0])
    # Skin-only, so a lash or a nostril next to the skin is not spread into it as a "line".
    near = masked_mean(y, np.clip(skin, 1e-3, 1.0), max(FINE_SIGMA * unit, FINE_FLOOR))
    fine, lines, creases = y - near, near - wide, wide - base
    # Lines go; spots of the same size (freckles, moles: part of the person, not of their age) stay.
    # Inside the bag, crow's-feet and fold regions every structure of line size is taken as a line:
    # crossing crow's feet are not coherent, but they are not freckles either.
    spot = SPOT_KEPT * (1.0 - line_likeness(near, unit)) * (1.0 - REGION_LINES * regions)
    line_gain = _gain(lines, amounts.mid)
    line_gain += spot * (1.0 - line_gain)
    new_y = base + line_gain * lines + _gain(creases, amounts.mid) * creases + amounts.fine * fine
    # Broad shading: a little flatter everywhere, much flatter on bags, troughs and folds.
    flatten = amounts.even + amounts.regions * regions
    new_y -= flatten * (base - broad) + amounts.regions * regions * 0.5 * amounts.mid * (lines + creases)
    new_y += amounts.lift
    out = ycc.copy()
    out[..., 0] = new_y
    if tone is not None:
        out[..., 1:] -= tone
    res = np.clip(cv2.cvtColor(out, cv2.COLOR_YCrCb2RGB), 0.0, 1.0)
    # A low power of the matte: full effect close to the features' edges, where the deepest lines
    # are (lids, crow's feet, folds), while a zero (an eye, a lip) stays exactly zero. The colour
    # gate once more, linearly: a partly-hair pixel's own value is what the bands measured it
    # against, so retouching it would pull the hair towards the skin's colour.
    blend = np.clip(skin, 0.0, 1.0) ** FEATURE_EDGE
    if gate is not None:
        blend = blend * np.clip(gate, 0.0, 1.0)
    return rgb + blend[..., None] * (res - rgb)
