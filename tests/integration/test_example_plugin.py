"""An installed third-party plugin is discovered through the ``dsio`` entry-point group.

``examples/dsio-example-plugin`` is installed with pip, as a user would, into a fresh virtual
environment that sees the system's packages (dsio and its dependencies) but not the other way
round, so the plugin never leaks into the environment the rest of the suite runs in. The real
``dsio`` command then has to find it, list it and run its detector.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN_SOURCE = REPO / "examples" / "dsio-example-plugin"
SPIKE_ROW = 200  # 1-based row of the spike in the small input


def _environment() -> dict[str, str]:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    env.pop("DSIO_PLUGINS", None)  # every installed plugin must load
    return env


def _run(python: Path | str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), *map(str, args)],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def plugin_python(tmp_path_factory) -> Path:
    """The interpreter of a virtual environment with dsio-example-plugin installed."""
    root = tmp_path_factory.mktemp("example-plugin")
    source = shutil.copytree(PLUGIN_SOURCE, root / "source")  # the build never touches the repo
    env_dir = root / "venv"
    # No pip of its own: the system's pip, seen through --system-site-packages, installs into
    # the environment it runs in, and creating the environment takes a fraction of a second.
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    command = ["-m", "pip", "install", "--quiet", "--no-deps", str(source)]
    if importlib.util.find_spec("hatchling") is not None:
        # The build backend is already installed: build with it rather than fetch it from PyPI.
        command.insert(4, "--no-build-isolation")
    result = _run(python, *command)
    assert result.returncode == 0, f"pip install failed:\n{result.stdout}\n{result.stderr}"
    return python


@pytest.fixture
def spiky_csv(tmp_path) -> Path:
    """A small stream with one spike: a daily-like cycle sampled every minute."""
    rng = np.random.default_rng(11)
    minutes = np.arange(300)
    value = 20 + 3 * np.sin(2 * np.pi * minutes / 120) + rng.normal(0, 0.3, len(minutes))
    value[SPIKE_ROW - 1] += 12
    frame = pd.DataFrame(
        {
            "time": pd.Timestamp("2024-03-01", tz="UTC") + pd.to_timedelta(minutes, unit="min"),
            "value": value.round(3),
        }
    )
    path = tmp_path / "spiky.csv"
    frame.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
    return path


def test_dsio_plugins_lists_the_installed_plugin_and_its_detector(plugin_python):
    result = _run(plugin_python, "-m", "dsio", "plugins")
    assert result.returncode == 0, result.stderr
    assert "dsio-example-plugin 0.1.0" in result.stdout
    example = [line for line in result.stdout.splitlines() if line.startswith("example ")]
    assert example and "ok" in example[0], result.stdout
    assert "MadSpike" in result.stdout
    assert "plugin 'example'" not in result.stderr  # no load warning


def test_the_plugin_is_absent_where_it_is_not_installed():
    result = _run(sys.executable, "-m", "dsio", "plugins")
    assert result.returncode == 0, result.stderr
    assert "dsio-example-plugin" not in result.stdout
    assert "MadSpike" not in result.stdout


def test_the_plugin_detector_scores_a_stream_through_the_cli(plugin_python, spiky_csv, tmp_path):
    out = tmp_path / "scored.csv"
    result = _run(
        plugin_python,
        "-m",
        "dsio",
        "--detector",
        "MadSpike",
        "--param",
        "window_size=30",
        "--speed",
        "0",
        "--no-bokeh",
        "--output",
        out,
        spiky_csv,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(out)
    assert len(scored) == 300
    scores = scored["SCORE_value"]
    assert scores[:30].isna().all() and scores[30:].notna().all()  # warm-up is window_size
    assert scores[30:].between(0, 1).all()
    assert scores.idxmax() + 1 == SPIKE_ROW
    assert scored.loc[SPIKE_ROW - 1, "FLAG_value"] == 1


def test_the_plugin_detector_passes_dsio_conformance_checks(plugin_python):
    check = (
        "from dsio.testing import check_detector\n"
        "from dsio_example_plugin.mad import MadSpike\n"
        "check_detector(MadSpike)\n"
        "check_detector(MadSpike, window_size=10, cutoff=5.0)\n"
    )
    result = _run(plugin_python, "-c", check)
    assert result.returncode == 0, result.stderr
