"""Turning a request (from the CLI or the library API) into a ready-to-run stream.

The CLI and ``dsio.restream``/``dsio.score`` share this path, so a DataFrame in a notebook and a
file on the command line get the same detector lookup, parameter typing, source selection and
sinks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsio.detectors.base import AnomalyDetector
from dsio.engine import RunSummary, run
from dsio.errors import InputError, UsageError
from dsio.params import build_detector, parse_params
from dsio.plugins import PluginHost
from dsio.sinks.base import Sink
from dsio.sources.base import Source, SourceInfo, SourceOptions
from dsio.stream import Schema


@dataclass(frozen=True)
class RunRequest:
    """What to stream and how: everything but the sinks."""

    data: Any
    detector: str | type[AnomalyDetector] | AnomalyDetector = "gaussian1d"
    params: tuple[str, ...] | Mapping[str, Any] = ()
    sensors: tuple[str, ...] | None = None
    timefield: str | None = None
    timezone: str = "UTC"
    speed: float = 1.0
    multivariate: bool = False

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> RunRequest:
        sensors = tuple(s for value in options.get("sensors") or () for s in value.split(","))
        return cls(
            data=options["input"],
            detector=options["detector"],
            params=tuple(options.get("params") or ()),
            sensors=sensors or None,
            timefield=options.get("timefield"),
            timezone=options.get("timezone") or "UTC",
            speed=float(options.get("speed", 1.0)),
            multivariate=bool(options.get("multivariate")),
        )


@dataclass
class PreparedRun:
    """A source opened, a detector factory checked and sinks built: ready to :meth:`execute`."""

    source: Source
    info: SourceInfo
    schema: Schema
    make_detector: Callable[[], AnomalyDetector]
    sinks: list[Sink]

    def execute(self, stop: Callable[[], bool] = lambda: False) -> RunSummary:
        return run(
            self.source, self.schema, self.make_detector, self.sinks, live=self.info.live, stop=stop
        )


def start_run(
    host: PluginHost,
    request: RunRequest,
    options: Mapping[str, Any] | None = None,
    sinks: list[Sink] | None = None,
) -> PreparedRun:
    """Resolve the detector, build the sinks from ``options`` (unless given) and open the source.

    Everything that can be wrong with the request is checked before any sink opens, so a bad
    option never leaves a half-started dashboard or a half-written index behind.
    """
    factory, name = resolve_detector(host, request.detector)
    params = (
        dict(request.params)
        if isinstance(request.params, Mapping)
        else parse_params(request.params, factory, name)
    )

    def make_detector() -> AnomalyDetector:
        return build_detector(factory, name, params, multivariate=request.multivariate)

    threshold = make_detector().threshold  # builds one now: parameter errors surface first
    if sinks is None:
        built = (e.factory.from_options(options or {}) for e in host.sinks)
        sinks = [sink for sink in built if sink is not None]
    source = open_source(
        host,
        request.data,
        SourceOptions(
            timefield=request.timefield, timezone=request.timezone, sensors=request.sensors
        ),
    )
    info = source.open()
    schema = Schema(
        source=str(request.data) if isinstance(request.data, (str, Path)) else "DataFrame",
        name=info.name,
        time_field=info.time_field,
        sensors=info.sensors,
        detector=name,
        multivariate=request.multivariate,
        threshold=threshold,
        speed=request.speed,
        timezone=request.timezone,
    )
    return PreparedRun(source, info, schema, make_detector, sinks)


def resolve_detector(
    host: PluginHost, detector: str | type[AnomalyDetector] | AnomalyDetector
) -> tuple[Callable[..., AnomalyDetector], str]:
    """A detector factory and its name, from a registered name, a class or a prototype instance.

    From Python it is natural to pass the class itself (or a configured instance, which is
    copied afresh for every sensor) rather than a registered name.
    """
    if isinstance(detector, str):
        entry = host.detectors.get(detector)
        return entry.factory, entry.name
    if isinstance(detector, type) and issubclass(detector, AnomalyDetector):
        return detector, detector.__name__
    if isinstance(detector, AnomalyDetector):
        return (lambda: copy.deepcopy(detector)), type(detector).__name__
    raise UsageError(
        f"detector must be a name, an AnomalyDetector subclass or instance, not {detector!r}"
    )


def open_source(host: PluginHost, data: Any, options: SourceOptions) -> Source:
    """The first registered source that accepts ``data``."""
    for entry in host.sources:
        if entry.factory.accepts(data):
            return entry.factory(data, options)
    if isinstance(data, (str, Path)) and str(data) != "-" and not Path(data).exists():
        raise InputError(f"{data}: no such file")
    kinds = ", ".join(e.name for e in host.sources) or "none installed"
    raise InputError(f"{data!r}: no source can read this input (sources: {kinds})")
