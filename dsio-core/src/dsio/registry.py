"""Name -> component lookup shared by detectors, sources, sinks and commands.

Names compare ignoring case, ``-`` and ``_`` so that ``GreaterThanMaxRolling``,
``greater-than-max-rolling`` and ``greater_than_max_rolling`` are one name. Two plugins may
register the same name: that is only an error when the name is asked for, and the message names
both plugins and the ``plugin:name`` spelling that picks one.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from dsio.errors import UsageError

T = TypeVar("T")


def normalize(name: str) -> str:
    """Fold a component name for comparison: lower case, without ``-`` and ``_``."""
    return name.lower().replace("-", "").replace("_", "")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered component and where it came from."""

    name: str
    factory: T
    plugin: str
    aliases: tuple[str, ...] = ()

    @property
    def keys(self) -> set[str]:
        return {normalize(n) for n in (self.name, *self.aliases)}

    @property
    def qualified_name(self) -> str:
        return f"{self.plugin}:{self.name}"


@dataclass
class Registry(Generic[T]):
    """Components of one kind (``kind`` is used in messages: "detector", "sink", ...)."""

    kind: str
    entries: list[Entry[T]] = field(default_factory=list)

    def binder(self, plugin: str, default_name: Callable[[T], str]) -> Callable[..., T]:
        """Return the ``register`` callable handed to one plugin's hook."""

        def register(factory: T, name: str | None = None, aliases: tuple[str, ...] = ()) -> T:
            entry_name = name or default_name(factory)
            self.entries.append(Entry(entry_name, factory, plugin, tuple(aliases)))
            return factory

        return register

    def __iter__(self) -> Iterator[Entry[T]]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, name: str) -> Entry[T]:
        """Find the entry called ``name`` (or ``plugin:name``), else raise a helpful UsageError."""
        plugin, _, bare = name.rpartition(":")
        key = normalize(bare)
        matches = [e for e in self.entries if key in e.keys and (not plugin or e.plugin == plugin)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            culprits = ", ".join(e.qualified_name for e in matches)
            raise UsageError(
                f"{self.kind} name {name!r} is registered by more than one plugin ({culprits}); "
                f"choose one with plugin:name"
            )
        raise UsageError(self._unknown_message(name))

    def _unknown_message(self, name: str) -> str:
        available = sorted({e.name for e in self.entries}, key=str.lower)
        message = f"unknown {self.kind} {name!r}"
        close = difflib.get_close_matches(
            normalize(name.rpartition(":")[2]), [normalize(n) for n in available], n=1
        )
        if close:
            suggestion = next(n for n in available if normalize(n) == close[0])
            message += f" (did you mean {suggestion!r}?)"
        return f"{message}; available: {', '.join(available) or 'none'}"

    def contributions(self, plugin: str) -> list[str]:
        return [e.name for e in self.entries if e.plugin == plugin]


def describe(obj: Any) -> str:
    """The first line of an object's docstring: its one-line description."""
    doc = (getattr(obj, "__doc__", None) or "").strip()
    return doc.splitlines()[0].strip() if doc else ""
