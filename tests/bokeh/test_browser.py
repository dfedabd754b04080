"""The dashboard in a real browser: headless Chromium reading the page's own Bokeh document."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from dsio_bokeh.feed import Feed
from dsio_bokeh.server import DashboardServer
from dsio_bokeh.session import SessionSettings, make_document

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "cardata_sample.csv"


def open_page(page, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            page.goto(url)
            return
        except Exception:  # the server is still starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def example_data() -> tuple[Path, list[str], int]:
    if not EXAMPLE.exists():
        pytest.skip(f"{EXAMPLE} is absent")
    with EXAMPLE.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        count = sum(1 for _ in reader)
    sensors = [name for name in header if name and name != "time"]
    return EXAMPLE, sensors, count


def test_cli_dashboard_shows_every_sensor_and_every_row(
    page, free_port, artifacts, wait_for
) -> None:
    data, sensors, count = example_data()
    assert count <= 3600  # the default window holds all of it
    command = ["dsio", "--no-browser", "--bokeh-port", str(free_port), "--speed", "0", str(data)]
    cli = subprocess.Popen(
        [sys.executable, "-m", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        open_page(page, f"http://127.0.0.1:{free_port}/")
        state = wait_for(page, f"p.rows >= {count} && p.header.includes('stream ended')")
        assert sorted(state["plots"]) == sorted(sensors)
        assert state["rows"] == count
        assert state["lines"] == list(range(2, count + 2))  # every row, in order, once
        assert sum(state["marks"]) > 0
        assert f"{count:,}</b> rows" in state["header"]
        page.wait_for_timeout(500)  # let the last paint land
        page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
        assert page.errors == []
    finally:
        cli.send_signal(signal.SIGINT)  # Ctrl-C: the dashboard stops, the command ends
        _, err = cli.communicate(timeout=60)
    assert cli.returncode == 0, err
    assert f"live dashboard at http://127.0.0.1:{free_port}/" in err


@pytest.fixture
def dashboard(free_port, schema_and_batches):
    """A feed served by a real Bokeh server; sessions are dropped 0.5 s after their tab closes."""
    make_schema, make_batch = schema_and_batches
    started: list[DashboardServer] = []

    def start(schema, window: int = 1000):
        feed = Feed(schema, window)
        server = DashboardServer(
            lambda doc: make_document(doc, feed, SessionSettings(interval_ms=100)),
            host="127.0.0.1",
            port=free_port,
            session_lifetime_ms=500,
        )
        server.start()
        started.append(server)
        return feed, server.url

    yield start, make_schema, make_batch
    for server in started:
        server.stop()


def test_tabs_each_see_all_data_late_ones_fill_the_window_closed_ones_let_go(
    chromium, dashboard, wait_for
) -> None:
    start, make_schema, make_batch = dashboard
    schema = make_schema(3)
    feed, url = start(schema, window=800)
    feed.append(make_batch(schema, 0, 500))
    first = chromium.new_page()
    first.goto(url)
    wait_for(first, "p.rows === 500")
    feed.append(make_batch(schema, 500, 500, flagged=lambda k: k == 990))
    state = wait_for(first, "p.rows === 800 && p.lines[799] === 1001")
    assert state["lines"][0] == 202  # rolled over: the last 800 rows, in order
    late = chromium.new_page()
    late.goto(url)
    state = wait_for(late, "p.rows === 800")
    assert state["lines"] == list(range(202, 1002))
    assert state["marks"] == [1, 1, 1]
    assert feed.readers == 2
    first.close()
    deadline = time.monotonic() + 30
    while feed.readers != 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert feed.readers == 1
    feed.append(make_batch(schema, 1000, 10))
    wait_for(late, "p.lines[p.lines.length - 1] === 1011")
    late.close()


def test_missing_values_are_gaps_not_zeros(page, dashboard, wait_for, artifacts) -> None:
    start, make_schema, make_batch = dashboard
    schema = make_schema(2)
    feed, url = start(schema)
    feed.append(make_batch(schema, 0, 100, missing=lambda k: (k >= 40) & (k < 60)))
    page.goto(url)
    feed.append(make_batch(schema, 100, 50, missing=lambda k: k >= 140))
    state = wait_for(page, "p.rows === 150")
    values = np.array([np.nan if v is None else v for v in state["v0"]], dtype=float)
    gaps = np.flatnonzero(np.isnan(values))
    assert gaps.tolist() == [*range(40, 60), *range(140, 150)]
    assert page.evaluate(
        "() => Number.isNaN(Bokeh.documents[0].get_model_by_name('dsio-rows').data.v0[45])"
    )
    assert page.errors == []
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "dashboard_gaps.png"))


def test_a_frozen_tab_never_holds_up_writes_and_catches_up(page, dashboard, wait_for) -> None:
    start, make_schema, make_batch = dashboard
    schema = make_schema(3)
    feed, url = start(schema, window=1000)
    page.goto(url)
    wait_for(page, "p.rows === 0")
    debugger = page.context.new_cdp_session(page)
    debugger.send("Debugger.enable")
    debugger.send("Debugger.pause")  # the page runs no JavaScript: no paints, no receipts
    for first in range(0, 20_000, 500):
        feed.append(make_batch(schema, first, 500, flagged=lambda k: k == 19_990))
    assert feed.status().rows == 20_000
    debugger.send("Debugger.resume")
    state = wait_for(page, "p.lines.length > 0 && p.lines[p.lines.length - 1] === 20001")
    assert state["lines"] == list(range(19_002, 20_002))  # exactly the window, newest last
    assert state["marks"] == [1, 1, 1]


def test_multivariate_scores_mark_every_sensor_of_a_flagged_row(page, dashboard, wait_for) -> None:
    start, make_schema, make_batch = dashboard
    schema = make_schema(3, multivariate=True)
    feed, url = start(schema)
    feed.append(make_batch(schema, 0, 30, flagged=lambda k: k == 7))
    page.goto(url)
    state = wait_for(page, "p.rows === 30")
    assert state["marks"] == [1, 1, 1]
    assert sorted(state["plots"]) == ["sensor_0", "sensor_1", "sensor_2"]
    assert "all sensors 1" in state["header"]
