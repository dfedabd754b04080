"""Sinks: where scored rows go (console, files; dashboards and databases come from plugins)."""

from dsio.sinks.base import Sink

__all__ = ["Sink"]
