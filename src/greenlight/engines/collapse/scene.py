"""The shot's geometry: plate pixels ↔ metres on the facade, and the pinhole camera that filmed it.

World axes: x to the right, y up, z toward the camera, in metres. The facade is the plane z = 0, the
ground the plane y = 0, and the building's base sits on the plate row ``ground_row``. The camera looks
straight at the facade from ``distance`` metres, so a point on the facade lands exactly on its own
plate pixel and anything that leaves the facade plane is seen in perspective.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STOREY_M = 3.3  # metres per storey: sets the scale of the plate


@dataclass(frozen=True)
class Camera:
    """The plate's camera. ``px_per_m`` is the scale on the facade plane."""

    width: int
    height: int
    ground_row: float
    px_per_m: float
    distance: float

    @classmethod
    def for_plate(cls, width: int, height: int, ground_row: float, floor_px: float) -> Camera:
        """A camera about two and a half frame widths away from the facade (a 23° lens)."""
        px_per_m = max(floor_px, 2.0) / STOREY_M
        return cls(width, height, ground_row, px_per_m, 2.5 * width / px_per_m)

    def to_world(self, uv: np.ndarray) -> np.ndarray:
        """Plate pixels ``(N, 2)`` on the facade to world ``(N, 2)`` x, y in metres."""
        uv = np.asarray(uv, dtype=np.float64)
        return np.column_stack([(uv[:, 0] - self.width / 2) / self.px_per_m,
                                (self.ground_row - uv[:, 1]) / self.px_per_m])

    def project(self, xyz: np.ndarray) -> np.ndarray:
        """World points ``(..., 3)`` to plate pixels ``(..., 2)``."""
        xyz = np.asarray(xyz, dtype=np.float64)
        focal = self.px_per_m * self.distance
        eye_y = (self.ground_row - self.height / 2) / self.px_per_m
        depth = np.maximum(self.distance - xyz[..., 2], 1e-3)
        u = self.width / 2 + focal * xyz[..., 0] / depth
        v = self.height / 2 - focal * (xyz[..., 1] - eye_y) / depth
        return np.stack([u, v], axis=-1)

    def eye(self) -> np.ndarray:
        """Where the camera is, in world metres."""
        return np.array([0.0, (self.ground_row - self.height / 2) / self.px_per_m, self.distance])


def quat_matrix(q: np.ndarray) -> np.ndarray:
    """Rotation matrices ``(..., 3, 3)`` of quaternions ``(..., 4)`` in pybullet's x, y, z, w order."""
    x, y, z, w = np.moveaxis(np.asarray(q, dtype=np.float64), -1, 0)
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
        np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
        np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
    ], -2)
