"""Detector parameters from the command line: ``--param key=value``, typed by the constructor."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dsio.detectors.base import AnomalyDetector
from dsio.errors import UsageError


def parameters(factory: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    """The keyword parameters a detector factory accepts (``self`` and ``*args`` left out)."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return {}
    return {
        name: p
        for name, p in signature.parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }


def parse_params(
    pairs: Iterable[str], factory: Callable[..., Any], detector_name: str
) -> dict[str, Any]:
    """Turn ``["window=300", "threshold=0.995"]`` into typed keyword arguments for ``factory``.

    A value is converted to the type of the parameter's default (``bool`` accepts
    true/false/yes/no/1/0); a parameter without a default takes a Python literal if the text is
    one, else the text itself. Unknown keys are an error listing the known ones.
    """
    known = parameters(factory)
    accepts_any = (
        any(p.kind == p.VAR_KEYWORD for p in inspect.signature(factory).parameters.values())
        if callable(factory)
        else False
    )
    typed: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--param {pair!r}: expected key=value")
        if key not in known and not accepts_any:
            listing = ", ".join(known) or "none"
            raise UsageError(
                f"--param {key}: detector {detector_name!r} has no parameter {key!r}; "
                f"its parameters: {listing}"
            )
        default = known[key].default if key in known else inspect.Parameter.empty
        typed[key] = _convert(key, text.strip(), default)
    return typed


def _convert(key: str, text: str, default: Any) -> Any:
    if isinstance(default, bool):
        lowered = text.lower()
        if lowered in ("true", "yes", "1", "on"):
            return True
        if lowered in ("false", "no", "0", "off"):
            return False
        raise UsageError(f"--param {key}={text}: expected true or false")
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        try:
            number = float(text)
        except ValueError:
            raise UsageError(f"--param {key}={text}: expected a number") from None
        if isinstance(default, int):
            if not number.is_integer():
                raise UsageError(f"--param {key}={text}: expected a whole number")
            return int(number)
        return number
    if isinstance(default, str):
        return text
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def build_detector(
    factory: Callable[..., AnomalyDetector],
    name: str,
    params: Mapping[str, Any],
    *,
    multivariate: bool = False,
) -> AnomalyDetector:
    """Instantiate a detector, asking for its multivariate mode if requested.

    A detector supports multivariate mode either always (class attribute ``multivariate =
    True``) or on request (a constructor parameter ``multivariate``).
    """
    kwargs = dict(params)
    if multivariate and "multivariate" in parameters(factory):
        kwargs["multivariate"] = True
    try:
        detector = factory(**kwargs)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"detector {name!r}: {exc}") from exc
    if not isinstance(detector, AnomalyDetector):
        raise UsageError(f"detector {name!r} is not an AnomalyDetector")
    if not 0 < detector.threshold <= 1:
        raise UsageError(
            f"detector {name!r}: threshold {detector.threshold} can never be reached by a score "
            "in [0, 1]; choose a value in (0, 1]"
        )
    if bool(getattr(detector, "multivariate", False)) != multivariate:
        if multivariate:
            raise UsageError(f"detector {name!r} has no multivariate mode; drop --multivariate")
        raise UsageError(f"detector {name!r} is multivariate only; add --multivariate")
    return detector
