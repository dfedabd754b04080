"""The library entry points: ``dsio.score`` and ``dsio.restream``.

Both take a pandas DataFrame or a path (anything a registered source accepts) and go through
the same detector lookup, time and sensor logic as the ``dsio`` command.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dsio.detectors.base import AnomalyDetector
from dsio.engine import RunSummary
from dsio.plugins import PluginHost
from dsio.session import RunRequest, start_run
from dsio.sinks.memory import MemorySink

if TYPE_CHECKING:
    import pandas as pd

    from dsio.sinks.base import Sink


def _host(modules: Iterable[str]) -> PluginHost:
    host = PluginHost()
    host.load_installed()
    for spec in modules:
        host.load_module(spec)
    return host


def _request(
    data: Any,
    detector: str | type[AnomalyDetector] | AnomalyDetector,
    params: Mapping[str, Any] | None,
    sensors: Iterable[str] | None,
    timefield: str | None,
    timezone: str,
    speed: float,
    multivariate: bool,
) -> RunRequest:
    return RunRequest(
        data=data,
        detector=detector,
        params=dict(params or {}),
        sensors=tuple(sensors) if sensors is not None else None,
        timefield=timefield,
        timezone=timezone,
        speed=speed,
        multivariate=multivariate,
    )


def score(
    data: Any,
    detector: str | type[AnomalyDetector] | AnomalyDetector = "gaussian1d",
    *,
    params: Mapping[str, Any] | None = None,
    sensors: Iterable[str] | None = None,
    timefield: str | None = None,
    timezone: str = "UTC",
    multivariate: bool = False,
    modules: Iterable[str] = (),
) -> pd.DataFrame:
    """Score every row of ``data`` and return it with ``SCORE_<sensor>`` and ``FLAG_<sensor>``.

    The frame is indexed by input line and has the UTC ``time`` column, the sensors (renamed
    if their names were unsafe), and a score (float in [0, 1], NaN where there is none) and a
    flag (nullable boolean) per sensor, or ``SCORE_all``/``FLAG_all`` if ``multivariate``.
    """
    request = _request(data, detector, params, sensors, timefield, timezone, 0.0, multivariate)
    collector = MemorySink()
    start_run(_host(modules), request, sinks=[collector]).execute()
    return collector.frame()


class RunHandle:
    """A replay running in the background (what ``restream`` returns inside Jupyter)."""

    def __init__(self, sinks: list[Sink]) -> None:
        self.sinks = sinks
        self.summary: RunSummary | None = None
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _start(self, execute: Any) -> None:
        def target() -> None:
            try:
                self.summary = execute(stop=self._stop.is_set)
            except BaseException as exc:  # reported by wait(), never lost in a dead thread
                self.error = exc

        self._thread = threading.Thread(target=target, name="dsio-replay", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> RunSummary | None:
        """Wait for the replay to end; re-raise its error if it failed."""
        if self._thread is not None:
            self._thread.join(timeout)
        if self.error is not None:
            raise self.error
        return self.summary

    def stop(self) -> RunSummary | None:
        """Stop the replay and every sink (the dashboard too)."""
        self._stop.set()
        summary = self.wait()
        for sink in self.sinks:
            sink.stop()
        return summary

    def __repr__(self) -> str:
        state = "running" if self.running else "finished"
        rows = self.summary.rows if self.summary else "?"
        return f"<dsio replay {state}, rows={rows}; .stop() ends it>"


def in_notebook() -> bool:
    """True inside a Jupyter kernel, where restream runs in the background."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def restream(
    data: Any,
    detector: str | type[AnomalyDetector] | AnomalyDetector = "gaussian1d",
    *,
    params: Mapping[str, Any] | None = None,
    sensors: Iterable[str] | None = None,
    timefield: str | None = None,
    timezone: str = "UTC",
    speed: float = 1.0,
    multivariate: bool = False,
    modules: Iterable[str] = (),
    sinks: list[Sink] | None = None,
    background: bool | None = None,
    **sink_options: Any,
) -> RunHandle | RunSummary:
    """Replay ``data`` at ``speed`` times real time into live sinks, scoring every row.

    Sinks are the installed ones enabled by ``sink_options`` (the CLI's options by Python name,
    e.g. ``bokeh_port=5002``, ``es_uri=...``, ``no_bokeh=True``), unless ``sinks`` is given.
    In Jupyter the dashboard shows inline and the replay runs in the background: a
    :class:`RunHandle` is returned at once. Elsewhere the call blocks and returns the summary.
    """
    notebook = in_notebook()
    options: dict[str, Any] = {
        "quiet": notebook,
        "no_browser": notebook,
        **sink_options,
        "input": data if isinstance(data, str) else "DataFrame",
        "detector": detector if isinstance(detector, str) else repr(detector),
        "speed": speed,
        "notebook": notebook,
    }
    request = _request(data, detector, params, sensors, timefield, timezone, speed, multivariate)
    prepared = start_run(_host(modules), request, options, sinks=sinks)
    if background if background is not None else notebook:
        handle = RunHandle(prepared.sinks)
        handle._start(prepared.execute)
        return handle
    return prepared.execute()
