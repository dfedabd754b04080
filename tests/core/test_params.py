import pytest

from dsio.detectors.base import AnomalyDetector
from dsio.errors import UsageError
from dsio.params import build_detector, parse_params


class Tunable(AnomalyDetector):
    """A detector with one parameter of each kind."""

    def __init__(
        self,
        window: int = 10,
        alpha: float = 0.5,
        two_sided: bool = True,
        method: str = "rank",
        threshold: float = 0.99,
    ):
        super().__init__(threshold)
        self.window, self.alpha, self.two_sided, self.method = window, alpha, two_sided, method

    def update(self, x):
        pass

    def score(self, x):
        return [0.0] * len(x)


def test_values_are_typed_from_the_constructor_defaults():
    params = parse_params(
        ["window=300", "alpha=1e-3", "two_sided=no", "method=quantile", "threshold=0.995"],
        Tunable,
        "tunable",
    )
    assert params == {
        "window": 300,
        "alpha": 0.001,
        "two_sided": False,
        "method": "quantile",
        "threshold": 0.995,
    }
    assert isinstance(params["window"], int)
    detector = build_detector(Tunable, "tunable", params)
    assert detector.window == 300 and detector.threshold == 0.995


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("windw=3", "detector 'tunable' has no parameter 'windw'; its parameters: window, alpha"),
        ("window=abc", "--param window=abc: expected a number"),
        ("window=3.5", "--param window=3.5: expected a whole number"),
        ("two_sided=maybe", "expected true or false"),
        ("window", "expected key=value"),
    ],
)
def test_bad_parameters_are_one_line_usage_errors(pair, message):
    with pytest.raises(UsageError, match=message):
        parse_params([pair], Tunable, "tunable")


def test_multivariate_needs_a_detector_that_supports_it():
    with pytest.raises(UsageError, match="has no multivariate mode"):
        build_detector(Tunable, "tunable", {}, multivariate=True)


def test_a_threshold_no_score_can_reach_is_an_error():
    with pytest.raises(UsageError, match=r"threshold 1\.5 can never be reached"):
        build_detector(Tunable, "tunable", {"threshold": 1.5})
