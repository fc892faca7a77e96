"""The ``collapse`` engine: a building on a plate breaks into pieces, falls and buries itself in dust.

Seeded and repeatable (same spec and seed, bit-identical frames), CPU only: Voronoi fracture along the
floors, 3-D rigid slabs in pybullet, pieces textured from the plate, a dust plume on a coarse grid, and
matte passes aligned pixel for pixel with the beauty.
"""
