"""dsio's detector contract, checked over every river adapter, one sensor and multivariate."""

from __future__ import annotations

import pytest

from dsio.testing import check_detector
from dsio_river.adapters import FACTORIES

#: Smaller models where river's own cost would dominate the run; the adapter is what is tested.
QUICK = {
    "LocalOutlierFactor": {"window_size": 50, "n_neighbors": 5},
    "LODA": {"n_random_cuts": 20},
}


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_adapter_meets_the_detector_contract(factory):
    check_detector(factory, **QUICK.get(factory.__name__, {}))


@pytest.mark.parametrize(
    "factory", [f for f in FACTORIES if f.model.multivariate], ids=lambda f: f.__name__
)
def test_multivariate_adapter_meets_the_detector_contract(factory):
    check_detector(factory, multivariate=True, **QUICK.get(factory.__name__, {}))
