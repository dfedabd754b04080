"""dsio: real-time anomaly detection on streams of sensor data.

The public API: the hook marker for plugins, the three component contracts, and the two library
entry points (``restream`` replays a stream into live sinks, ``score`` returns a scored frame).
"""

from dsio.detectors.base import AnomalyDetector
from dsio.hookspecs import hookimpl
from dsio.sinks.base import Sink
from dsio.sources.base import Source, SourceInfo, SourceOptions
from dsio.stream import ALL_SENSORS, TIME, Batch, Schema

__version__ = "0.1.0"

__all__ = [
    "ALL_SENSORS",
    "TIME",
    "AnomalyDetector",
    "Batch",
    "Schema",
    "Sink",
    "Source",
    "SourceInfo",
    "SourceOptions",
    "__version__",
    "hookimpl",
    "restream",
    "score",
]


def __getattr__(name: str):  # lazy: importing dsio must not import pandas or the engine
    if name in ("restream", "score"):
        from dsio import api

        return getattr(api, name)
    raise AttributeError(f"module 'dsio' has no attribute {name!r}")
