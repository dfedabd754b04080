"""Fixtures shared by every test folder: paths, a fresh plugin host, and the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples"

# Plugin files that tests load on purpose (some fail to import by design) are data, not tests.
collect_ignore_glob = ["*/plugins/*"]


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data beside the repository is not here)")
    return path


@pytest.fixture
def shared() -> Callable[..., Path]:
    """``shared("cases", "B01_epoch_ms.csv")``: a path under ../shared, or skip when absent."""
    return shared_path


@pytest.fixture
def host():
    """A fresh plugin host with every installed plugin loaded (no global state)."""
    from dsio.plugins import PluginHost

    plugin_host = PluginHost()
    plugin_host.load_installed()
    return plugin_host


@pytest.fixture
def dsio_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real ``dsio`` command in a subprocess; returns the completed process."""

    def run(
        *args: str,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        input: str | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dsio", *map(str, args)],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
