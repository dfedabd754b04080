"""The plugin host: loads built-ins, installed plugins and ``--modules`` files into registries.

Load order:

1. dsio-core's built-ins (its entry points ``detectors``, ``sources``, ``sinks`` and ``commands``
   in the ``dsio`` group), loaded exactly like any plugin;
2. every other entry point of the ``dsio`` group, in distribution-name order; the environment
   variable ``DSIO_PLUGINS`` (comma-separated entry-point names) restricts which of these load;
3. ``--modules`` files and dotted module names, in the order given.

Explicit inputs fail loudly, ambient discovery degrades gracefully: a broken ``--modules`` file
raises :class:`PluginError` naming the file and line, while an installed plugin that fails to
import is logged as a warning and listed as "failed" by ``dsio plugins``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import inspect
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from dsio import hookspecs
from dsio.detectors.base import AnomalyDetector
from dsio.errors import PluginError
from dsio.registry import Registry

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "dsio"
CORE_DISTRIBUTION = "dsio-core"
HOOKS = {
    "detectors": "dsio_register_detectors",
    "sources": "dsio_register_sources",
    "sinks": "dsio_register_sinks",
    "commands": "dsio_register_commands",
}


@dataclass
class PluginRecord:
    """What ``dsio plugins`` shows for one plugin."""

    name: str
    origin: str  # "dsio-core 0.1.0", "dsio-bokeh 0.1.0" or a file path
    status: str = "ok"
    error: str | None = None
    contributes: dict[str, list[str]] = field(default_factory=dict)


def _component_name(component: Any) -> str:
    return getattr(component, "name", None) or getattr(component, "__name__", str(component))


class PluginHost:
    """A fresh plugin manager plus one registry per extension point (one per CLI call or test)."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("dsio")
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self.detectors: Registry[Any] = Registry("detector")
        self.sources: Registry[Any] = Registry("source")
        self.sinks: Registry[Any] = Registry("sink")
        self.commands: Registry[Any] = Registry("command")

    # -- loading ---------------------------------------------------------------------------

    def load_installed(self) -> None:
        """Load the ``dsio`` entry points: built-ins first, then the rest by distribution."""
        allowed = os.environ.get("DSIO_PLUGINS")
        wanted = None if allowed is None else {n.strip() for n in allowed.split(",") if n.strip()}
        points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
        ordered = sorted(points, key=lambda ep: (not _is_core(ep), _dist_name(ep), ep.name))
        for ep in ordered:
            if ep.name in self.records:
                continue
            if wanted is not None and not _is_core(ep) and ep.name not in wanted:
                continue
            origin = f"{ep.dist.name} {ep.dist.version}" if ep.dist else ep.value
            try:
                module = ep.load()
            except Exception as exc:  # an installed plugin must never take dsio down
                self._failed(ep.name, origin, exc)
                continue
            self._add(module, ep.name, origin, strict=False)

    def load_module(self, spec: str) -> None:
        """Load a ``--modules`` entry: a ``.py`` path or a dotted module name.

        Every :class:`AnomalyDetector` subclass defined in the module (indirect subclasses too)
        is registered, as are any hook implementations it contains.
        """
        module, origin = _import_user_module(spec)
        name = Path(origin).stem if origin.endswith(".py") else spec
        if name in self.records:
            name = origin
        detectors = [
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj)
            and issubclass(obj, AnomalyDetector)
            and obj.__module__ == module.__name__
            and not inspect.isabstract(obj)
        ]
        has_hooks = any(n.startswith("dsio_") for n in vars(module))
        if not detectors and not has_hooks:
            raise PluginError(
                f"{origin}: defines no AnomalyDetector subclass and no dsio hook implementation"
            )
        self._add(module if has_hooks else None, name, origin, strict=True, detectors=detectors)

    # -- registries ------------------------------------------------------------------------

    def _add(
        self,
        module: ModuleType | None,
        name: str,
        origin: str,
        *,
        strict: bool,
        detectors: Sequence[type[AnomalyDetector]] = (),
    ) -> None:
        record = PluginRecord(name, origin)
        self.records[name] = record
        for detector in detectors:
            self.detectors.binder(name, _component_name)(detector)
        if module is None:
            self._summarise(record)
            return
        try:
            self.pm.register(module, name=name)
            for kind, hook_name in HOOKS.items():
                registry: Registry[Any] = getattr(self, kind)
                for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                    if impl.plugin_name == name:
                        offered = {"register": registry.binder(name, _component_name)}
                        impl.function(**{arg: offered[arg] for arg in impl.argnames})
        except Exception as exc:
            if strict:
                raise PluginError(f"{origin}: {type(exc).__name__}: {exc}") from exc
            self._failed(name, origin, exc)
            return
        self._summarise(record)

    def _summarise(self, record: PluginRecord) -> None:
        for kind in HOOKS:
            names = getattr(self, kind).contributions(record.name)
            if names:
                record.contributes[kind] = names

    def _failed(self, name: str, origin: str, exc: BaseException) -> None:
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        place = f" ({where.filename}:{where.lineno})" if where else ""
        message = f"{type(exc).__name__}: {exc}{place}"
        log.warning("plugin %r (%s) failed to load and is skipped: %s", name, origin, message)
        for kind in HOOKS:  # drop anything it registered before failing
            registry = getattr(self, kind)
            registry.entries = [e for e in registry.entries if e.plugin != name]
        if self.pm.has_plugin(name):
            self.pm.unregister(name=name)
        self.records[name] = PluginRecord(name, origin, status="failed", error=message)


def _dist_name(ep: importlib.metadata.EntryPoint) -> str:
    return ep.dist.name if ep.dist else ""


def _is_core(ep: importlib.metadata.EntryPoint) -> bool:
    return _dist_name(ep) == CORE_DISTRIBUTION


def _import_user_module(spec: str) -> tuple[ModuleType, str]:
    """Import a ``--modules`` entry without touching the caller's namespace."""
    path = Path(spec)
    if spec.endswith(".py") or path.exists():
        if not path.is_file():
            raise PluginError(f"--modules: no such file: {spec}")
        module_name = f"dsio_user_module_{abs(hash(str(path.resolve())))}"
        loader_spec = importlib.util.spec_from_file_location(module_name, path)
        if loader_spec is None or loader_spec.loader is None:
            raise PluginError(f"--modules: cannot import {spec}")
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[module_name] = module
        origin = str(path)
        try:
            loader_spec.loader.exec_module(module)
        except SyntaxError as exc:  # includes IndentationError
            sys.modules.pop(module_name, None)
            raise PluginError(
                f"{path.name}, line {exc.lineno}: {type(exc).__name__}: {exc.msg}"
            ) from exc
        except Exception as exc:
            sys.modules.pop(module_name, None)
            raise PluginError(f"{path.name}: {_located(exc, str(path))}") from exc
        return module, origin
    try:
        module = importlib.import_module(spec)
    except SyntaxError as exc:
        raise PluginError(
            f"{exc.filename}, line {exc.lineno}: {type(exc).__name__}: {exc.msg}"
        ) from exc
    except ModuleNotFoundError as exc:
        raise PluginError(f"--modules: no module named {spec!r} ({exc})") from exc
    except Exception as exc:
        raise PluginError(f"{spec}: {_located(exc, None)}") from exc
    return module, getattr(module, "__file__", None) or spec


def _located(exc: BaseException, filename: str | None) -> str:
    """``line N: ExcType: message`` for the deepest frame in ``filename`` (or the last frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if filename is None or Path(f.filename) == Path(filename)]
    frame = (mine or frames or [None])[-1]
    where = f"line {frame.lineno}: " if frame else ""
    return f"{where}{type(exc).__name__}: {exc}"
