"""Half-Space Trees that can score from the first value on; imports river, so it is loaded lazily.

river's ``HalfSpaceTrees`` scores against the mass its trees counted in the *previous* window, so
for the whole first window it has no reference and returns 0 ("normal") for everything: with
river's window of 250, a file of 200 rows would never get a score, and a sensor with gaps would
lose its first 250 present values. Until that first window is full, this subclass scores against
the mass counted so far in it instead, scaled up to a full window, which is what the reference
mass will be an estimate of. The scores of the first values are rough (they rest on a handful of
values); dsio's rank calibration keeps them near 0.5 until enough raw scores are known, so they
are never flagged on thin evidence.
"""

from __future__ import annotations

from typing import Any

from river import anomaly


class GrowingHalfSpaceTrees(anomaly.HalfSpaceTrees):
    """river's Half-Space Trees, scoring its first window against the mass seen so far in it.

    After the first window it is river's model unchanged. It reads the trees' masses as river
    0.26 keeps them (``l_mass``/``r_mass`` on each node, ``counter`` values in the window), which
    is why dsio-detectors-river pins river's minor version.

    Examples
    --------
    >>> model = GrowingHalfSpaceTrees(window_size=50, seed=0)
    >>> for i in range(20):
    ...     model.learn_one({"x": 0.4 + 0.01 * (i % 5)})
    >>> model.score_one({"x": 0.42}) < model.score_one({"x": 0.95})
    True
    """

    def score_one(self, x: dict[Any, float]) -> float:
        if not self._first_window:
            return super().score_one(x)
        if self.counter == 0:  # nothing to compare with yet: no evidence either way
            return 0.0
        scale = self.window_size / self.counter  # the partial window's mass, as a full window's
        size_limit = 0.1 * self.window_size
        mass = sum(
            _walk_partial_mass(tree, x, self.height, size_limit, scale) for tree in self.trees
        )
        return 1.0 - mass / self._max_score


def _walk_partial_mass(
    root: Any, x: dict[Any, float], height: int, limit: float, scale: float
) -> float:
    """river's root-to-leaf walk (``mass * 2 ** depth`` summed until the mass runs thin), on the
    current window's scaled mass instead of the previous window's."""
    node = root
    weight = 1
    total = 0.0
    for _ in range(height):
        mass = node.l_mass * scale
        total += mass * weight
        if mass < limit:
            return total
        left, right = node.children
        value = x.get(node.feature)
        if value is None:  # a feature the trees were not built on: follow the heavier branch
            node = right if left.l_mass < right.l_mass else left
        else:
            node = left if value < node.threshold else right
        weight <<= 1
    return total + node.l_mass * scale * weight
