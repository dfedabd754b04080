import pytest

from dsio.errors import UsageError
from dsio.registry import Registry, normalize


def _registry() -> Registry[object]:
    registry: Registry[object] = Registry("detector")
    registry.binder("core", str)("gauss", name="Gaussian1D", aliases=("gauss",))
    registry.binder("mine", str)("max", name="Greater_Than_Max_Rolling")
    return registry


def test_names_match_ignoring_case_dashes_and_underscores():
    assert normalize("Greater_Than-Max_Rolling") == normalize("greaterthanmaxrolling")
    registry = _registry()
    assert registry.get("GreaterThanMaxRolling").factory == "max"
    assert registry.get("gaussian-1d").name == "Gaussian1D"
    assert registry.get("GAUSS").name == "Gaussian1D"


def test_unknown_name_suggests_the_closest_and_lists_all():
    with pytest.raises(UsageError) as error:
        _registry().get("gausian1d")
    message = str(error.value)
    assert "unknown detector 'gausian1d'" in message
    assert "did you mean 'Gaussian1D'" in message
    assert "Gaussian1D, Greater_Than_Max_Rolling" in message


def test_a_clash_is_an_error_only_when_asked_for_and_plugin_name_resolves_it():
    registry = _registry()
    registry.binder("other", str)("other gauss", name="gaussian1d")
    assert registry.get("Greater_Than_Max_Rolling").plugin == "mine"  # unaffected
    with pytest.raises(UsageError, match=r"core:Gaussian1D, other:gaussian1d"):
        registry.get("gaussian1d")
    assert registry.get("other:gaussian1d").factory == "other gauss"
    assert registry.get("core:gaussian1d").factory == "gauss"
