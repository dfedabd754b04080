"""The plugin registers every river detector by name, with river's parameters settable."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest
from river import anomaly

from dsio.errors import UsageError
from dsio.params import build_detector, parameters, parse_params
from dsio_river.adapters import RiverDetector

#: ``river.anomaly`` classes that wrap a detector instead of being one.
WRAPPERS = {"QuantileFilter", "ThresholdFilter"}
RIVER_DETECTORS = sorted(
    name
    for name in anomaly.__all__
    if inspect.isclass(getattr(anomaly, name)) and name not in WRAPPERS
)


def test_every_river_detector_is_registered_by_the_river_plugin(host):
    registered = {e.name: e for e in host.detectors if e.plugin == "river"}
    assert sorted(registered) == RIVER_DETECTORS


@pytest.mark.parametrize(
    ("name", "river_class"),
    [
        ("hst", "HalfSpaceTrees"),
        ("river:onesvm", "OneClassSVM"),
        ("LOF", "LocalOutlierFactor"),
        ("local_outlier_factor", "LocalOutlierFactor"),
        ("loda", "LODA"),
        ("sad", "StandardAbsoluteDeviation"),
        ("pad", "PredictiveAnomalyDetection"),
        ("gaussian-scorer", "GaussianScorer"),
    ],
)
def test_names_and_aliases_find_the_adapter(host, name, river_class):
    entry = host.detectors.get(name)
    assert entry.plugin == "river"
    assert entry.name == river_class


@pytest.mark.parametrize("name", RIVER_DETECTORS)
def test_signature_has_the_adapter_and_every_river_parameter(host, name):
    factory = host.detectors.get(f"river:{name}").factory
    offered = parameters(factory)
    river_params = inspect.signature(getattr(anomaly, name)).parameters
    assert set(river_params) <= set(offered)
    assert {"threshold", "warm_up"} <= set(offered)


def test_param_values_are_typed_from_river_defaults(host):
    factory = host.detectors.get("river:onesvm").factory
    typed = parse_params(["nu=0.05", "n_components=30", "warm_up=5"], factory, "onesvm")
    assert typed == {"nu": 0.05, "n_components": 30, "warm_up": 5}
    detector = build_detector(factory, "onesvm", typed)
    assert detector.model["OneClassSVM"].nu == 0.05
    assert detector.warm_up == 5


def test_river_parameters_reach_the_river_model(host):
    factory = host.detectors.get("hst").factory
    params = parse_params(["n_trees=3", "height=4", "window_size=40", "seed=9"], factory, "hst")
    detector = build_detector(factory, "hst", params)
    model = detector.model["GrowingHalfSpaceTrees"]
    assert (model.n_trees, model.height, model.window_size, model.seed) == (3, 4, 40, 9)
    assert detector.warm_up == 0  # its first window is scored too (dsio_river.halfspace)


def test_unknown_parameter_is_a_usage_error_listing_river_parameters(host):
    factory = host.detectors.get("lof").factory
    with pytest.raises(UsageError, match="n_neighbors"):
        parse_params(["neighbours=5"], factory, "lof")


def test_text_for_a_river_object_parameter_is_a_usage_error(host):
    factory = host.detectors.get("onesvm").factory
    params = parse_params(["optimizer=Adam"], factory, "onesvm")
    with pytest.raises(UsageError, match="optimizer"):
        build_detector(factory, "onesvm", params)


def test_multivariate_is_refused_by_one_sensor_models(host):
    factory = host.detectors.get("GaussianScorer").factory
    with pytest.raises(UsageError, match="no multivariate mode"):
        build_detector(factory, "GaussianScorer", {}, multivariate=True)


def test_multivariate_is_a_mode_of_models_over_feature_dicts(host):
    factory = host.detectors.get("hst").factory
    assert build_detector(factory, "hst", {}, multivariate=True).multivariate
    assert not build_detector(factory, "hst", {}).multivariate


def test_factories_return_dsio_detectors(host):
    for entry in host.detectors:
        if entry.plugin == "river":
            assert isinstance(entry.factory(), RiverDetector)


def test_registering_the_plugin_does_not_import_river():
    probe = (
        "import sys, json\n"
        "from dsio.plugins import PluginHost\n"
        "from dsio.params import parse_params\n"
        "host = PluginHost(); host.load_installed()\n"
        "entry = host.detectors.get('river:hst')\n"
        "print(json.dumps('river' in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) is False


def test_dsio_detectors_lists_every_adapter_with_river_parameters(dsio_cli):
    result = dsio_cli("detectors")
    assert result.returncode == 0, result.stderr
    for name in RIVER_DETECTORS:
        assert f"{name}  [river]" in result.stdout
    for shown in ("n_trees=10", "window_size=25", "nu=0.1", "n_neighbors=10", "grace_period=10"):
        assert shown in result.stdout
