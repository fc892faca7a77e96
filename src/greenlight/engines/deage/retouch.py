"""Skin retouch by frequency separation: fewer lines and a more even tone, with the texture kept.

The luminance of the crop is split into three layers:

* ``base``: a skin-only low-pass (normalised convolution: only skin pixels enter it, so brows,
  lashes, lips and hair never bleed into it). It holds the face's shape and lighting: everything
  wider than about 12 px at 360p scale;
* ``mid``: what lies between the base and a light Gaussian: wrinkles, fine lines, crow's feet,
  creases 2–12 px wide at 360p scale;
* ``fine``: what the light Gaussian removes: pores, film grain, sensor noise.

De-aging scales ``mid`` down by an amount that grows with the years and keeps ``fine`` almost whole,
so the skin is smoother but never waxy. Under the eyes and along the nasolabial folds the broader
shading (bags, troughs, folds) is flattened towards a wider skin mean as well. Chroma blotches are
pulled towards the skin's local mean colour.

The base layers and the tone correction are smooth, so the caller computes them on a downscaled
working copy and resizes them up; only ``mid`` and ``fine`` are formed at full resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BASE_SIGMA = 3.0  # px at 360p scale: the base holds what is wider than ~12 px
BROAD_SIGMA = 6.6  # px at 360p scale: the mean that bags and folds are flattened towards
LIGHT_SIGMA = 0.7  # px at 360p scale: below this is pore/grain texture, kept
BRIGHT_KEPT = 0.3  # share of the band's bright side (sheen) always kept


@dataclass(frozen=True)
class Amounts:
    """How hard each step works, from the years to take off (see :func:`amounts_for`).

    Attributes:
        mid: gain left on the wrinkle band (1 = untouched, 0 = removed).
        fine: gain left on the pore/grain band.
        regions: how much of the bag/trough/fold shading to flatten (0..1).
        tone: how much of the chroma blotchiness to remove (0..1).
        reshape: scale of the lower-face reshaping (0 = none).
    """

    mid: float
    fine: float
    regions: float
    tone: float
    reshape: float


def amounts_for(years: int, reshape: bool = True) -> Amounts:
    """The retouch strengths for taking ``years`` off a face.

    Args:
        years: 5..30.
        reshape: whether to reshape the lower face.

    Returns:
        The amounts. Each grows with ``years`` over the whole 5..30 range: the wrinkle band's dark
        side goes as (1 − t)² (t = years / 30: 69 % kept at 5 years, 11 % at 20, none at 30), the
        regional, tone and shape steps as t^0.7 (fast at first, as lines deepen fastest in the first
        decades they appear). Pores and grain are always kept almost whole.
    """
    t = float(np.clip(years / 30.0, 0.0, 1.0))
    ease = t**0.7
    return Amounts(
        mid=(1.0 - t) ** 2,
        fine=1.0 - 0.12 * t,
        regions=0.85 * ease,
        tone=0.6 * ease,
        reshape=ease if reshape else 0.0,
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


def base_layers(y: np.ndarray, skin: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """The skin-only low-pass layers of the luminance.

    Args:
        y: float32 luminance (usually of the working copy).
        skin: skin matte at the same size.
        scale: face size relative to 360p scale, at this size.

    Returns:
        (base, broad): the base layer, and the wider mean bags and folds are flattened towards.
    """
    s = max(scale, 0.35)
    w = np.clip(skin, 0.0, 1.0)
    return masked_mean(y, w, BASE_SIGMA * s), masked_mean(y, w, BROAD_SIGMA * s)


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


def retouch(
    rgb: np.ndarray,
    layers: tuple[np.ndarray, np.ndarray],
    regions: np.ndarray,
    skin: np.ndarray,
    scale: float,
    amounts: Amounts,
    tone: np.ndarray | None = None,
) -> np.ndarray:
    """Retouch the skin of one face crop.

    Args:
        rgb: the crop, float32 RGB in 0..1, full resolution.
        layers: (base, broad) from :func:`base_layers`, resized to the crop.
        regions: under-eye and nasolabial matte, 0..1, same size.
        skin: the final skin matte (after the colour gate and temporal smoothing), 0..1.
        scale: face size relative to 360p scale (``FaceFrame.scale``).
        amounts: strengths from :func:`amounts_for`.
        tone: chroma shift from :func:`tone_shift`, resized to the crop (None: no tone evening).

    Returns:
        The retouched crop, float32 RGB, equal to ``rgb`` wherever ``skin`` is 0.
    """
    base, broad = layers
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    y = np.ascontiguousarray(ycc[..., 0])
    light = cv2.GaussianBlur(y, (0, 0), LIGHT_SIGMA * max(scale, 0.35))
    mid, fine = light - base, y - light
    # Lines and creases are dark valleys; the small highlights between them are the sheen young
    # skin has. Take more of the dark side of the band than of the bright side.
    gain = np.where(mid < 0, amounts.mid, BRIGHT_KEPT + (1 - BRIGHT_KEPT) * amounts.mid).astype(np.float32)
    new_y = base + gain * mid + amounts.fine * fine
    if amounts.regions > 0:
        # Bags, troughs and folds are broader than wrinkles: flatten the base towards the wider
        # skin mean in those regions, and take more of the lines there too.
        new_y -= amounts.regions * regions * (base - broad + 0.5 * amounts.mid * mid)
    out = ycc.copy()
    out[..., 0] = new_y
    if tone is not None:
        out[..., 1:] -= tone
    res = np.clip(cv2.cvtColor(out, cv2.COLOR_YCrCb2RGB), 0.0, 1.0)
    return rgb + skin[..., None] * (res - rgb)
