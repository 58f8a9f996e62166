"""The scenario read-out learns which directions tell units apart, not which example is nearest."""

from __future__ import annotations

import numpy as np

from service.dialogue.readout import NONE, Readout


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_readout_separates_units_from_everything_else():
    rng = np.random.default_rng(7)
    centre = rng.normal(size=32)
    directions = {name: rng.normal(size=32) for name in ("fact:a", "fact:b", "off_script")}
    vectors, owners = [], []
    for name, direction in directions.items():
        for _ in range(20):  # like e5: every vector close to one common centre
            vectors.append(centre * 4 + direction + rng.normal(scale=0.3, size=32))
            owners.append(name)
    readout = Readout(_unit(np.asarray(vectors)), owners, {"fact:a", "fact:b"})
    assert readout.classes == sorted(["fact:a", "fact:b", NONE])
    for name, expected in (("fact:a", "fact:a"), ("fact:b", "fact:b"), ("off_script", NONE)):
        probe = _unit((centre * 4 + directions[name] + rng.normal(scale=0.3, size=32))[None])[0]
        p = readout.probabilities(probe)
        assert abs(sum(p.values()) - 1.0) < 1e-9
        assert max(p, key=p.get) == expected
        assert p[expected] > 0.8
