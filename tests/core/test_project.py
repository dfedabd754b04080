"""Project-wide rules: documented hooks, lockstep versions, a light ``dsio --help``."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

import dsio
from dsio import hookspecs

REPO = Path(__file__).resolve().parents[2]
DISTRIBUTIONS = ["dsio-core", "dsio-bokeh", "dsio-elastic", "dsio-detectors-river"]


def _hooks():
    return [
        (name, function)
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("dsio_")
    ]


@pytest.mark.parametrize(("name", "function"), _hooks())
def test_every_hook_has_a_contract_docstring_and_a_readme_entry(name, function):
    assert (function.__doc__ or "").strip(), f"{name} has no docstring"
    signature = f"{name}({', '.join(inspect.signature(function).parameters)})"
    assert f"`{signature}`" in (REPO / "README.md").read_text(), f"README lacks {signature}"


def test_versions_move_in_lockstep_and_plugins_pin_a_compatible_core():
    versions = {}
    for distribution in DISTRIBUTIONS:
        project = tomllib.loads((REPO / distribution / "pyproject.toml").read_text())["project"]
        versions[distribution] = project["version"]
        if distribution != "dsio-core":
            pins = [d for d in project["dependencies"] if d.startswith("dsio-core")]
            assert pins, f"{distribution} does not depend on dsio-core"
            from packaging.specifiers import SpecifierSet

            spec = SpecifierSet(pins[0].removeprefix("dsio-core"))
            assert dsio.__version__ in spec, f"{distribution} pins {pins[0]}"
    assert set(versions.values()) == {dsio.__version__}, versions


def test_help_imports_no_heavy_library():
    """``dsio --help`` must stay fast with every plugin installed: heavy imports stay lazy."""
    probe = (
        "import sys, json\n"
        "from dsio.plugins import PluginHost\n"
        "from dsio.cli import build_cli\n"
        "host = PluginHost(); host.load_installed(); build_cli(host)\n"
        "heavy = ['bokeh', 'river', 'elasticsearch', 'scipy.stats', 'pandas', 'pyarrow']\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_readme_example_detector_passes_the_conformance_checks(tmp_path, monkeypatch):
    """The README tells authors to save its example as mine.py and run ``check_detector``."""
    import importlib

    from dsio.testing import check_detector

    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Writing a detector") : readme.index("## Writing a plugin")]
    # saved under a name no other test uses, importable so the pickling check can find it
    (tmp_path / "readme_detector.py").write_text(section.split("```python\n")[1].split("```")[0])
    monkeypatch.syspath_prepend(tmp_path)
    mine = importlib.import_module("readme_detector")
    check_detector(mine.AboveMean, direction="up")
    check_detector(mine.AboveMean, direction="up", sigmas=4.0)
