"""The contract between dsio and its plugins: hook specifications and nothing else.

Every hook receives a ``register`` callable that the host binds to the calling plugin, so each
component knows which plugin supplied it (shown by ``dsio plugins``, used in clash messages).
An implementation may accept fewer arguments than its spec, so specs can grow without breaking
plugins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("dsio")
hookimpl = pluggy.HookimplMarker("dsio")

Register = Callable[..., Any]


@hookspec
def dsio_register_detectors(register: Register) -> None:
    """Register anomaly detectors.

    Call ``register(factory, name=None, aliases=())`` once per detector. ``factory`` is an
    :class:`dsio.AnomalyDetector` subclass (or any callable returning one whose keyword
    parameters are the detector's parameters); ``name`` defaults to the class name. Names match
    ignoring case, ``-`` and ``_``.
    """


@hookspec
def dsio_register_sources(register: Register) -> None:
    """Register input sources.

    Call ``register(factory, name=None, aliases=())`` with a :class:`dsio.Source` subclass. The
    host asks each source, in registration order, whether it ``accepts`` a location.
    """


@hookspec
def dsio_register_sinks(register: Register) -> None:
    """Register sinks: places scored rows go (console, files, dashboards, databases).

    Call ``register(factory, name=None, aliases=())`` with a :class:`dsio.Sink` subclass. Its
    ``cli_options()`` become options of ``dsio run``; its ``from_options()`` decides from the
    parsed options whether it takes part in a run. Import heavy libraries inside the sink, not at
    module level, so that ``dsio --help`` stays fast.
    """


@hookspec
def dsio_register_commands(register: Register) -> None:
    """Register extra ``dsio`` sub-commands.

    Call ``register(command, name=None)`` with a :class:`click.Command`.
    """
