"""Rigid-body simulation of the pieces: thin 3-D slabs in pybullet, released in sequence.

Every piece starts held where it is (a static body). Its hold gives way at its release time, which
runs outward from the failure point: for a pancake the storeys above the failure drop together and
each storey below gives way as the falling mass reaches it; a topple gives the pieces the motion of a
facade turning about its base. Then gravity, the ground and the other pieces do the rest. pybullet runs
single-threaded with a fixed step, so the same pieces and seed give the same motion, bit for bit.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import numpy as np

from greenlight.engines.collapse.fracture import Shard
from greenlight.engines.collapse.scene import Camera

STEP = 1 / 240
DENSITY = 2400.0 * 0.4  # kg/m³: reinforced concrete, hollowed by rooms and windows
GRAVITY = 9.81
CAPACITY = 3.0  # how many times its own weight a held piece carries before it gives way
CRUSH_SPEED = 4.0  # m/s: what hits a held piece this fast breaks it (a fall of about 0.8 m)


@dataclass(frozen=True)
class Motion:
    """The simulated motion, sampled at the render's sub-frame times.

    Attributes:
        times: ``(T,)`` seconds since the first failure.
        position: ``(T, N, 3)`` each piece's centre, world metres.
        rotation: ``(T, N, 4)`` each piece's orientation quaternion (x, y, z, w).
        released: ``(T, N)`` whether the piece has been let go.
        rest: ``(N, 3)`` each piece's centre at rest before the collapse.
        depth: ``(N,)`` each slab's thickness in metres.
        impacts: ``(K, 5)`` time, x, y, z, energy (J) of the hard hits on the ground and on other pieces.
        speed: ``(T, N)`` each piece's speed, m/s.
    """

    times: np.ndarray
    position: np.ndarray
    rotation: np.ndarray
    released: np.ndarray
    rest: np.ndarray
    depth: np.ndarray
    impacts: np.ndarray
    speed: np.ndarray


def _pybullet():
    """pybullet, imported with its build banner (printed by C code) kept out of the command's output."""
    with _quiet_c_output():
        import pybullet
    return pybullet


@contextlib.contextmanager
def _quiet_c_output():
    """Send what C code prints on stdout and stderr to /dev/null meanwhile (Python's own output is untouched)."""
    import ctypes
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            os.dup2(null.fileno(), 2)
            yield
            with contextlib.suppress(OSError, AttributeError):
                ctypes.CDLL(None).fflush(None)
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


def release_times(shards: list[Shard], camera: Camera, failure_uv: tuple[float, float], direction: str,
                  speed: float, rng: np.random.Generator) -> np.ndarray:
    """When each piece's hold gives way, seconds after the first failure."""
    centres = camera.to_world(np.array([s.centre for s in shards]))
    fail = camera.to_world(np.array([failure_uv]))[0]
    width = max(np.ptp(centres[:, 0]), 1.0)
    across = np.abs(centres[:, 0] - fail[0]) / width
    jitter = rng.uniform(0.0, 0.08, len(shards))
    if direction == "pancake":
        below = np.clip(fail[1] - centres[:, 1], 0, None)
        # A storey below the failure goes when the mass falling from above reaches it.
        # Falling pieces break what they hit (``_Run._struck``); this is when a storey gives way anyway.
        return (np.sqrt(2 * below / GRAVITY) * 1.3 + 0.5 * across + 0.4 * (below > 0)) / speed + jitter
    distance = np.hypot(centres[:, 0] - fail[0], centres[:, 1] - fail[1]) / max(np.ptp(centres[:, 1]), 1.0)
    return 0.6 * distance / speed + jitter


def simulate(shards: list[Shard], camera: Camera, times: np.ndarray, release: np.ndarray, direction: str,
             speed: float, rng: np.random.Generator, progress=None) -> Motion:
    """Run the pieces from rest through ``times`` (increasing, seconds) and sample their poses."""
    p = _pybullet()
    with _quiet_c_output():
        client = p.connect(p.DIRECT)
    try:
        return _Run(p, client, shards, camera, release, direction, speed, rng).through(times, progress)
    finally:
        p.disconnect(client)


class _Run:
    def __init__(self, p, client, shards, camera, release, direction, speed, rng) -> None:
        self.p, self.client, self.release = p, client, np.array(release, float)
        p.setGravity(0, -GRAVITY, 0, physicsClientId=client)
        p.setPhysicsEngineParameter(fixedTimeStep=STEP, numSolverIterations=12, deterministicOverlappingPairs=1,
                                    physicsClientId=client)
        ground = p.createCollisionShape(p.GEOM_PLANE, planeNormal=[0, 1, 0], physicsClientId=client)
        self.ground = p.createMultiBody(0, ground, physicsClientId=client)
        p.changeDynamics(self.ground, -1, lateralFriction=0.9, restitution=0.05, physicsClientId=client)
        self.shapes, self.rest, self.depth, self.mass = [], [], [], []
        for shard in shards:
            self._shape(shard, camera)
        self.rest = np.array(self.rest)
        self.velocity = _initial_velocity(self.rest, camera, direction, speed, rng)
        self.spin = rng.normal(0.0, 1.2, (len(shards), 3)) * [1.6, 0.6, 1.0]  # mostly tipping out of the facade
        self.bodies = [self._body(i, 0.0) for i in range(len(shards))]
        self.free = np.zeros(len(shards), bool)
        self.fall = np.zeros(len(shards))  # the downward speed each piece carries into what it hits

    def _shape(self, shard: Shard, camera: Camera) -> None:
        xy = camera.to_world(shard.hull)
        centre = xy.mean(axis=0)
        span = np.ptp(xy, axis=0)
        depth = float(np.clip(0.35 * min(span), 0.3, 1.6))
        # Shrunk a little so neighbours do not start in contact (they would push each other apart).
        local = (xy - centre) * 0.92
        verts = [[x, y, z] for x, y in local for z in (depth / 2, -depth / 2)]
        shape = self.p.createCollisionShape(self.p.GEOM_MESH, vertices=verts, physicsClientId=self.client)
        area = 0.5 * abs(np.dot(local[:, 0], np.roll(local[:, 1], -1)) - np.dot(local[:, 1], np.roll(local[:, 0], -1)))
        self.shapes.append(shape)
        self.rest.append([centre[0], centre[1], -depth / 2])
        self.depth.append(depth)
        self.mass.append(max(area * depth * DENSITY, 1.0))

    def _body(self, i: int, mass: float) -> int:
        p = self.p
        body = p.createMultiBody(mass, self.shapes[i], basePosition=list(self.rest[i]), physicsClientId=self.client)
        # Rolling and spinning friction: a slab that lands on its edge topples and stops, it does not roll away.
        p.changeDynamics(body, -1, lateralFriction=0.8, restitution=0.08, linearDamping=0.04, angularDamping=0.2,
                         rollingFriction=0.03, spinningFriction=0.03,
                         physicsClientId=self.client)
        return body

    def _let_go(self, i: int) -> None:
        """Replace the held piece by a moving one, at the same place, with its first motion."""
        p = self.p
        p.removeBody(self.bodies[i], physicsClientId=self.client)
        body = self._body(i, self.mass[i])
        p.resetBaseVelocity(body, list(self.velocity[i]), list(self.spin[i]), physicsClientId=self.client)
        self.bodies[i] = body
        self.free[i] = True

    def _struck(self, now: float) -> None:
        """A held piece that a falling piece hits gives way at once and goes down with the falling mass.

        A crush-down front: what falls keeps most of its speed through each storey it breaks (and gains
        what gravity adds over the storey), so the collapse runs down the building instead of stacking
        up on it. A piece resting on a held one breaks it only when the pile's weight is more than the
        held piece carries (``CAPACITY``).
        """
        p = self.p
        index = {self.bodies[i]: i for i in np.nonzero(self.free)[0]}
        for i in np.nonzero(~self.free & (self.release > now))[0]:
            hits = p.getContactPoints(bodyA=self.bodies[i], physicsClientId=self.client)
            # Only what comes down on it from above, fast, breaks it.
            above = [c for c in hits if c[2] in index and c[6][1] > self.rest[i, 1]]
            speeds = [self.fall[index[c[2]]] for c in above]
            load = sum(c[9] for c in above)
            # A storey carries about three times its own weight: a pile of fallen storeys crushes it too.
            if speeds and (max(speeds) > CRUSH_SPEED or load > CAPACITY * self.mass[i] * GRAVITY):
                down = 0.8 * np.sqrt(max(speeds) ** 2 + 2 * GRAVITY * 1.0)
                # The storey takes as long to crush as the mass takes to come through it.
                self.release[i] = min(self.release[i], now + min(0.6 / down, 0.15))
                self.velocity[i] = self.velocity[i] * [0.5, 0.0, 0.5] + [0.0, -down, 0.0]

    def through(self, times: np.ndarray, progress) -> Motion:
        p, n, t = self.p, len(self.bodies), 0.0
        pos, rot = np.zeros((len(times), n, 3)), np.zeros((len(times), n, 4))
        speed, released = np.zeros((len(times), n)), np.zeros((len(times), n), bool)
        impacts: list[list[float]] = []
        last_v = np.zeros((n, 3))
        for k, target in enumerate(times):
            while t < target - 1e-9:
                for i in np.nonzero(~self.free & (self.release <= t))[0]:
                    self._let_go(int(i))
                p.stepSimulation(physicsClientId=self.client)
                t += STEP
            for i, body in enumerate(self.bodies):
                xyz, quat = p.getBasePositionAndOrientation(body, physicsClientId=self.client)
                pos[k, i], rot[k, i] = xyz, quat
                v = np.array(p.getBaseVelocity(body, physicsClientId=self.client)[0])
                speed[k, i] = float(np.linalg.norm(v))
                # A sudden loss of downward speed is a hit: it raises dust, throws debris, shakes the camera.
                hit = v[1] - last_v[i, 1]
                if self.free[i] and hit > 2.5:
                    impacts.append([target, *xyz, 0.5 * self.mass[i] * hit * hit])
                last_v[i] = v
                if self.free[i]:
                    self.fall[i] = max(-v[1], 0.85 * self.fall[i])
            released[k] = self.free
            self._struck(target)
            if progress is not None:
                progress((k + 1) / len(times))
        return Motion(np.asarray(times, float), pos, rot, released, self.rest, np.array(self.depth),
                      np.array(impacts).reshape(-1, 5), speed)


def _initial_velocity(rest: np.ndarray, camera: Camera, direction: str, speed: float,
                      rng: np.random.Generator) -> np.ndarray:
    """The first motion of each piece when let go: a small burst, or the turn of a toppling facade."""
    n = len(rest)
    velocity = rng.normal(0.0, 0.4, (n, 3))
    height = rest[:, 1]
    turn = 0.35 * speed  # rad/s about the base
    if direction == "left":
        velocity[:, 0] -= turn * height
    elif direction == "right":
        velocity[:, 0] += turn * height
    elif direction == "toward-camera":
        velocity[:, 2] += turn * height
    else:
        # The facade peels away from the falling floors: panels tip out into the street (and some back
        # into the building), so the storeys cannot stand as a stack of bricks.
        velocity[:, 2] += rng.normal(1.6, 1.2, n)
        velocity[:, 1] -= 2.5  # the storey under it is gone: it drops, it does not settle
    return velocity
