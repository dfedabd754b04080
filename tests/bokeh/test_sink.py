"""The sink's options, registration and server lifecycle (no browser needed)."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import click
import pytest

from dsio.errors import SinkError, UsageError
from dsio_bokeh.sink import DEFAULT_WINDOW, BokehSink

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "cardata_sample.csv"


def test_registered_through_the_dsio_entry_point_group(host) -> None:
    entry = host.sinks.get("bokeh")
    assert entry.factory is BokehSink
    assert entry.plugin == "bokeh"


def test_cli_options_parse_to_the_names_from_options_reads() -> None:
    command = click.Command("run", params=BokehSink.cli_options())
    context = command.make_context(
        "run", ["--bokeh-port", "5010", "--bind", "0.0.0.0", "--cols", "4", "--window", "50"]
    )
    options = dict(context.params, no_browser=True)
    sink = BokehSink.from_options(options)
    assert (sink.port, sink.host, sink.cols, sink.window) == (5010, "0.0.0.0", 4, 50)
    assert not sink.open_browser
    defaults = BokehSink.from_options(command.make_context("run", []).params)
    assert (defaults.port, defaults.host, defaults.window) == (5001, "127.0.0.1", DEFAULT_WINDOW)
    assert defaults.open_browser and not defaults.notebook


def test_no_bokeh_keeps_the_dashboard_out_of_the_run() -> None:
    assert BokehSink.from_options({"no_bokeh": True, "bokeh_port": 5001}) is None


def test_library_callers_get_defaults_and_one_line_errors() -> None:
    sink = BokehSink.from_options({"notebook": True, "bokeh_origins": "lab.example.org"})
    assert sink.notebook and sink.origins == ("lab.example.org",)
    with pytest.raises(UsageError, match="--window must be at least 1"):
        BokehSink.from_options({"window": -5})
    with pytest.raises(UsageError, match="--bokeh-port"):
        BokehSink.from_options({"bokeh_port": 70000})


def test_serves_until_stopped_and_says_where(schema_and_batches, free_port) -> None:
    make_schema, make_batch = schema_and_batches
    schema = make_schema(2)
    sink = BokehSink(port=free_port, open_browser=False)
    sink.open(schema)
    try:
        assert sink.summary() == f"live dashboard at http://127.0.0.1:{free_port}/"
        sink.write(make_batch(schema, 0, 10))
        sink.close()
        assert sink.serving  # the command line waits for Ctrl-C
        with urllib.request.urlopen(sink.url, timeout=30) as response:
            assert b"synthetic" in response.read()
    finally:
        sink.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", free_port), timeout=2):
        pass
    sink.stop()  # twice is harmless


def test_in_a_notebook_the_run_does_not_wait_for_ctrl_c(schema_and_batches, free_port) -> None:
    make_schema, _ = schema_and_batches
    sink = BokehSink(port=free_port, notebook=True)
    sink.open(make_schema(1))
    try:
        sink.close()
        assert not sink.serving
    finally:
        sink.stop()


def test_a_taken_port_is_a_one_line_sink_error(schema_and_batches, free_port) -> None:
    make_schema, _ = schema_and_batches
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port))
        taken.listen()
        sink = BokehSink(port=free_port, open_browser=False)
        with pytest.raises(SinkError, match=f"127.0.0.1:{free_port}.*--bokeh-port") as error:
            sink.open(make_schema(1))
        assert "\n" not in str(error.value)


def test_cli_reports_a_taken_port_without_a_traceback(dsio_cli, free_port) -> None:
    data = EXAMPLE
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port))
        taken.listen()
        result = dsio_cli("--no-browser", "--bokeh-port", free_port, "--speed", "0", data)
    assert result.returncode == SinkError.exit_code
    assert f"127.0.0.1:{free_port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_accepts_no_bokeh(dsio_cli) -> None:
    result = dsio_cli("--no-bokeh", "--speed", "0", EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert "dashboard" not in result.stderr
