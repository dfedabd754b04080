"""Fixtures for the dashboard's tests: free ports, scored batches made by hand, headless Chromium.

Browser tests drive Debian's ``/usr/bin/chromium`` through Playwright (never a downloaded
browser) and are skipped, with the reason, where it is not installed.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dsio.stream import TIME, Batch, Schema

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
#: Replay clock of made-up streams: row k is due LIVE_START + k seconds.
LIVE_START = np.datetime64("now", "s") - np.timedelta64(1, "h")


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def artifacts() -> Path:
    """Where tests leave files for people to look at (screenshots); git ignores it."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A headless Chromium (Debian's), shared by the session's browser tests."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium) -> Iterator[object]:
    """A fresh tab that records JavaScript errors in ``page.errors``."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


def make_schema(sensors: int = 3, *, timezone: str = "UTC", multivariate: bool = False) -> Schema:
    return Schema(
        source="synthetic",
        name="synthetic",
        time_field="time",
        sensors=tuple(f"sensor_{i}" for i in range(sensors)),
        detector="gaussian1d",
        multivariate=multivariate,
        threshold=0.99,
        timezone=timezone,
    )


def make_batch(
    schema: Schema,
    start: int,
    rows: int,
    *,
    missing: Callable[[np.ndarray], np.ndarray] | None = None,
    flagged: Callable[[np.ndarray], np.ndarray] | None = None,
    t0: str = "2024-03-31T00:00:00",
) -> Batch:
    """Rows ``start .. start + rows - 1`` of a made-up scored stream, one per second.

    Sensor ``i`` of row ``k`` has the value ``1000 * i + k`` (so any value names its row);
    ``missing(k)`` / ``flagged(k)`` choose the rows whose values are missing / flagged.
    """
    k = np.arange(start, start + rows)
    times = pd.Timestamp(t0).value + k * 1_000_000_000
    columns: dict[str, object] = {TIME: pd.to_datetime(times)}
    gone = missing(k) if missing else np.zeros(rows, dtype=bool)
    for i, sensor in enumerate(schema.sensors):
        columns[sensor] = np.where(gone, np.nan, 1000.0 * i + k)
    hit = flagged(k) if flagged else np.zeros(rows, dtype=bool)
    for target in schema.targets:
        scores = np.where(gone, np.nan, np.where(hit, 0.999, 0.5))
        columns[schema.score_column(target)] = scores
        columns[schema.flag_column(target)] = pd.arrays.BooleanArray(hit & ~gone, gone)
    frame = pd.DataFrame(columns, index=pd.Index(k + 2, name="line"))
    live = LIVE_START + k.astype("timedelta64[s]")
    return Batch(frame=frame, live_time=live.astype("datetime64[ns]"), start=start)


@pytest.fixture
def schema_and_batches() -> tuple[Callable[..., Schema], Callable[..., Batch]]:
    """``(make_schema, make_batch)``: build a stream by hand, without the engine."""
    return make_schema, make_batch


#: What the page holds, read from the Bokeh document in the browser (not from the server).
READ_PAGE = """() => {
  const doc = Bokeh.documents[0];
  const rows = doc.get_model_by_name('dsio-rows');
  const plots = [];
  for (const view of Bokeh.index.query((v) => (v.model.name || '').startsWith('dsio-plot-'))) {
    const box = view.el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) plots.push(view.model.name.slice('dsio-plot-'.length));
  }
  const marks = [];
  for (let i = 0; doc.get_model_by_name('dsio-anomalies-' + i) != null; i++)
    marks.push(doc.get_model_by_name('dsio-anomalies-' + i).get_length());
  const column = (name) => Array.from(rows.data[name] ?? []);
  return {plots, rows: rows.get_length(), lines: column('line'), v0: column('v0'),
          marks, header: doc.roots()[0].text};
}"""


def wait_for_page(page, condition: str, timeout: float = 60) -> dict:
    """Poll the page until ``condition`` (JS over ``p``, the READ_PAGE result) holds."""
    deadline = time.monotonic() + timeout
    state: dict = {}
    while time.monotonic() < deadline:
        ready = page.evaluate("() => window.Bokeh !== undefined && Bokeh.documents.length > 0")
        if ready:
            state = page.evaluate(READ_PAGE)
            if page.evaluate(f"(p) => {condition}", state):
                return state
        page.wait_for_timeout(250)
    raise AssertionError(f"page never satisfied {condition!r}; last seen: {summary(state)}")


def summary(state: dict) -> dict:
    return {k: (len(v) if isinstance(v, list) else v) for k, v in state.items()}


@pytest.fixture
def wait_for() -> Callable[..., dict]:
    """``wait_for(page, "p.rows === 10")``: poll what the page holds until the JS test holds."""
    return wait_for_page
