"""The plugin host: entry points, --modules files and failures, with real files on disk."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from dsio.errors import PluginError
from dsio.plugins import PluginHost

PLUGINS = Path(__file__).parent / "plugins"


def _install_fake_distribution(tmp_path: Path, monkeypatch, entry_points: dict[str, str]) -> None:
    """Make a real (metadata-only) distribution visible to importlib.metadata."""
    dist = tmp_path / "dsio_test_plugins-1.2.3.dist-info"
    dist.mkdir()
    metadata = "Metadata-Version: 2.1\nName: dsio-test-plugins\nVersion: 1.2.3\n"
    (dist / "METADATA").write_text(metadata)
    lines = "\n".join(f"{name} = {target}" for name, target in entry_points.items())
    (dist / "entry_points.txt").write_text(f"[dsio]\n{lines}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(PLUGINS))


def test_builtins_register_through_entry_points(host):
    core = [r for r in host.records.values() if r.origin.startswith("dsio-core ")]
    assert {r.name for r in core} >= {"detectors", "sources", "sinks", "commands"}
    assert all(r.status == "ok" for r in core), [r.error for r in core]
    assert host.detectors.get("gaussian1d").plugin == "detectors"
    assert host.sinks.get("file").plugin == "sinks"


def test_an_installed_plugin_registers_and_a_broken_one_is_a_warning(tmp_path, monkeypatch, caplog):
    _install_fake_distribution(
        tmp_path, monkeypatch, {"extra": "extra_installed", "broken": "broken_installed"}
    )
    host = PluginHost()
    with caplog.at_level(logging.WARNING):
        host.load_installed()
    assert host.detectors.get("cq").name == "constant-quarter"
    assert host.records["extra"].origin == "dsio-test-plugins 1.2.3"
    assert host.records["extra"].contributes == {"detectors": ["constant-quarter"]}
    broken = host.records["broken"]
    assert broken.status == "failed"
    assert "RuntimeError: this plugin is broken on purpose" in broken.error
    assert "plugin 'broken'" in caplog.text and "skipped" in caplog.text


def test_dsio_plugins_env_restricts_third_party_plugins(tmp_path, monkeypatch):
    _install_fake_distribution(tmp_path, monkeypatch, {"extra": "extra_installed"})
    monkeypatch.setenv("DSIO_PLUGINS", "")
    host = PluginHost()
    host.load_installed()
    assert "extra" not in host.records
    assert "detectors" in host.records  # built-ins always load


def test_modules_file_registers_indirect_subclasses_but_not_abstract_ones():
    host = PluginHost()
    host.load_module(str(PLUGINS / "indirect.py"))
    names = {e.name for e in host.detectors}
    assert "AboveLimit" in names
    assert "Base" not in names
    assert host.detectors.get("above_limit").plugin == "indirect"


def test_modules_dotted_name(monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGINS))
    host = PluginHost()
    host.load_module("extra_installed")
    assert host.detectors.get("constant-quarter").factory.__name__ == "Constant"


def test_broken_modules_file_names_file_line_and_error(shared):
    case = shared("cases", "B31_detector_indentation_error.py")
    with pytest.raises(PluginError) as error:
        PluginHost().load_module(str(case))
    message = str(error.value)
    assert "B31_detector_indentation_error.py" in message
    assert "line 18" in message
    assert "IndentationError" in message


def test_modules_file_failing_at_import_names_line_and_exception():
    with pytest.raises(PluginError, match=r"raising\.py: line 3: ZeroDivisionError"):
        PluginHost().load_module(str(PLUGINS / "raising.py"))


def test_missing_modules_file_is_an_error():
    with pytest.raises(PluginError, match=r"no such file: nowhere\.py"):
        PluginHost().load_module("nowhere.py")
