"""A real Elasticsearch-protocol server for the sink's tests: noida-db on 127.0.0.1.

noida-db (pinned in tests/requirements.txt) is one local binary that speaks the Elasticsearch 8
REST API; the official client talks to it unchanged. One server runs per test session, on a
free port with a temporary data directory; each test writes to its own index.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dsio.stream import TIME, Batch, Schema

NOIDA_VERSION = "0.2.3"
STARTUP_SECONDS = 20.0


@dataclass
class EsServer:
    """A running noida-db speaking Elasticsearch at ``url``."""

    url: str
    log: Path

    def client(self):
        from elasticsearch import Elasticsearch

        return Elasticsearch(self.url, request_timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _noida_binary() -> Path:
    try:
        version = importlib.metadata.version("noida-db")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip(f"noida-db is not installed (pip install noida-db=={NOIDA_VERSION})")
    if version != NOIDA_VERSION:
        pytest.fail(f"noida-db {version} is installed; the tests pin {NOIDA_VERSION}")
    # The console script only re-launches this binary; running it directly lets the fixture
    # stop the server itself rather than a wrapper process.
    binary = Path(
        str(files("noida_db").joinpath("noida-db.exe" if os.name == "nt" else "noida-db"))
    )
    if not binary.is_file():
        pytest.skip(f"noida-db's server binary is missing at {binary}")
    binary.chmod(0o755)
    return binary


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"noida-db exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"noida-db did not answer at {url} within {STARTUP_SECONDS} s")


@pytest.fixture(scope="session")
def es_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EsServer]:
    """noida-db's Elasticsearch service on 127.0.0.1:<free port>, for the whole session."""
    binary = _noida_binary()
    data_dir = tmp_path_factory.mktemp("noida-data")
    log = data_dir.parent / "noida.log"
    port = free_port()
    command = [
        str(binary),
        "start",
        "--data-dir",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--only",
        "elasticsearch",
        "--elasticsearch-port",
        str(port),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield EsServer(url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def es(es_server: EsServer):
    """An official client connected to the test server."""
    client = es_server.client()
    yield client
    client.close()


@pytest.fixture
def index_name(request: pytest.FixtureRequest, es) -> Iterator[str]:
    """An index name of this test's own; the index is deleted afterwards.

    noida-db rewrites its whole data file as it changes, so leftover indices would slow down
    every later test.
    """
    name = re.sub(r"[^a-z0-9_-]+", "-", request.node.name.lower()).strip("-_")
    name = f"t-{name}"[:200]
    yield name
    es.indices.delete(index=name, ignore_unavailable=True)


def _make_schema(sensors: tuple[str, ...], *, name: str = "stream", **kwargs) -> Schema:
    return Schema(
        source=kwargs.pop("source", f"{name}.csv"),
        name=name,
        time_field="time",
        sensors=sensors,
        detector="gaussian1d",
        **kwargs,
    )


def _make_batch(
    schema: Schema,
    values: dict[str, list[float]],
    *,
    first_line: int = 2,
    start: int = 0,
    scores: dict[str, list[float]] | None = None,
) -> Batch:
    """A batch like the engine's: TIME, sensors, SCORE_ (NaN = none), FLAG_ (nullable)."""
    n = len(next(iter(values.values())))
    times = pd.date_range("2024-03-01T08:00:00Z", periods=n, freq="s") + pd.Timedelta(seconds=start)
    frame = pd.DataFrame(
        {TIME: times}, index=pd.RangeIndex(first_line, first_line + n, name="line")
    )
    for sensor in schema.sensors:
        frame[sensor] = np.asarray(values[sensor], dtype=np.float64)
    for target in schema.targets:
        given = (scores or {}).get(target)
        score = np.asarray(given, dtype=float) if given is not None else np.full(n, 0.25)
        if given is None and target in values:
            score[~np.isfinite(np.asarray(values[target], dtype=float))] = np.nan
        frame[schema.score_column(target)] = score
        frame[schema.flag_column(target)] = pd.arrays.BooleanArray(
            np.nan_to_num(score) > schema.threshold, np.isnan(score)
        )
    now = np.datetime64("2025-01-01T00:00:00", "ns")
    live = now + (times - times[0]).to_numpy().astype("timedelta64[ns]")
    return Batch(frame=frame, live_time=live, start=start)


@pytest.fixture
def make_schema():
    """``make_schema(("flow", "temp"), name=..., multivariate=...)``: a stream's Schema."""
    return _make_schema


@pytest.fixture
def make_batch():
    """``make_batch(schema, {"flow": [...]}, first_line=2)``: a Batch as the engine builds it."""
    return _make_batch
