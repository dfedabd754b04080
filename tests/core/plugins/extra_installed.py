"""An installed plugin that registers a detector through the hook, as third parties do."""

import numpy as np

from dsio import AnomalyDetector, hookimpl


class Constant(AnomalyDetector):
    """Always scores 0.25."""

    def update(self, x):
        pass

    def score(self, x):
        return np.full(len(x), 0.25)


@hookimpl
def dsio_register_detectors(register):
    register(Constant, name="constant-quarter", aliases=("cq",))
