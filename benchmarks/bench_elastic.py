"""Documents per second: ``dsio --speed 0`` into Elasticsearch, next to the client's own bulk.

Starts noida-db (the Elasticsearch-protocol server of the tests) on 127.0.0.1, writes the example
car trace repeated ``--copies`` times to a temporary CSV, then alternately

* dsio: ``dsio --es-uri URL --no-bokeh --speed 0 --no-browser FILE`` in a subprocess, timed
  three ways: inside the Elasticsearch sink (building and sending documents, as its summary
  reports), the whole run (reading, scoring, index set-up and indexing, as the run summary
  reports) and end to end (with interpreter start-up and imports, from start to exit), and
* raw: ``elasticsearch.helpers.streaming_bulk`` with the same chunk size sending the very
  documents dsio indexed (read back from its index) into a fresh index with the same mapping.

noida-db keeps its data as one JSON file rewritten as it changes, so its cost per document grows
with everything it stores: both sides index into an otherwise empty server, and the figures
compare dsio with the client on this server, not with a real cluster. The server's speed varies a
lot from run to run on a busy machine, so the best of ``--repeat`` rounds is kept, and the time
each side spends outside bulk requests (its own work: building and serialising documents) is
printed too; it does not depend on the server. Target: dsio at least 0.8 of the raw rate.

    python benchmarks/bench_elastic.py [--copies 15] [--repeat 3] [--detector gaussian1d]
"""

from __future__ import annotations

import argparse
import logging
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pandas as pd
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan, streaming_bulk

REPO = Path(__file__).resolve().parents[1]
TRACE = REPO / "examples" / "data" / "cardata_sample.csv"
CHUNK_SIZE = 500  # the sink's default


def start_noida(data_dir: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    binary = str(files("noida_db").joinpath("noida-db"))
    command = [binary, "start", "--data-dir", str(data_dir), "--host", "127.0.0.1"]
    command += ["--only", "elasticsearch", "--elasticsearch-port", str(port)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return process, url
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"noida-db did not start at {url}")


def make_input(copies: int, path: Path) -> int:
    """The example trace ``copies`` times, each copy continuing the clock after the last."""
    trace = pd.read_csv(TRACE)
    span = trace["time"].iloc[-1] - trace["time"].iloc[0] + 1.0
    parts = [trace.assign(time=trace["time"] + k * span) for k in range(copies)]
    data = pd.concat(parts, ignore_index=True)
    data.iloc[:, 0] = range(1, len(data) + 1)
    data.to_csv(path, index=False)
    return len(data)


#: The client's log line for each request, with the time spent waiting on the server.
REQUEST_LOG = re.compile(r"_bulk \[status:\d+ duration:([0-9.]+)s\]")


@dataclass
class Timing:
    """Seconds of one side of a round; ``server`` is the time spent in bulk requests."""

    seconds: float
    server: float

    @property
    def client(self) -> float:
        return self.seconds - self.server


def run_dsio(url: str, csv: Path, index: str, detector: str) -> dict[str, Timing]:
    """dsio's timings: end to end, the run (its own summary) and the Elasticsearch sink."""
    command = [sys.executable, "-m", "dsio", "-v", "--es-uri", url, "--es-index", index]
    command += ["--es-recreate", "--no-bokeh", "--speed", "0", "--no-browser"]
    command += ["--detector", detector, str(csv)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"dsio failed:\n{result.stderr[-3000:]}")
    output = result.stdout + result.stderr
    run = re.search(r"([\d,]+) rows in ([\d.]+) s", output)
    sink = re.search(r"rows indexed into .* in ([\d.]+) s", output)
    if not (run and sink):
        raise SystemExit(f"no timings in dsio's output:\n{output[-3000:]}")
    server = sum(float(d) for d in REQUEST_LOG.findall(output))
    return {
        "dsio, Elasticsearch sink": Timing(float(sink.group(1)), server),
        "dsio, whole run": Timing(float(run.group(2)), server),
        "dsio, end to end": Timing(elapsed, server),
    }


class _RequestLog(logging.Handler):
    """Adds up the bulk request durations the client logs."""

    def __init__(self) -> None:
        super().__init__()
        self.server = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        match = REQUEST_LOG.search(record.getMessage())
        if match:
            self.server += float(match.group(1))


def run_raw(client: Elasticsearch, actions: list[dict], index: str, mapping: dict) -> Timing:
    client.indices.create(index=index, mappings=mapping)
    requests = _RequestLog()
    logger = logging.getLogger("elastic_transport.transport")
    logger.addHandler(requests)
    logger.setLevel(logging.INFO)
    try:
        started = time.perf_counter()
        for ok, item in streaming_bulk(client, actions, index=index, chunk_size=CHUNK_SIZE):
            if not ok:
                raise SystemExit(f"raw bulk failed: {item}")
        elapsed = time.perf_counter() - started
    finally:
        logger.removeHandler(requests)
    client.indices.delete(index=index)
    return Timing(elapsed, requests.server)


def read_back(client: Elasticsearch, index: str, rows: int) -> tuple[list[dict], dict]:
    """The documents dsio indexed, in input order, and the index's mapping."""
    client.indices.refresh(index=index)
    count = client.count(index=index)["count"]
    if count != rows:
        raise SystemExit(f"dsio indexed {count} documents of {rows}")
    mapping = client.indices.get_mapping(index=index)[index]["mappings"]
    hits = scan(client, index=index)
    actions = sorted(
        ({"_id": hit["_id"], "_source": hit["_source"]} for hit in hits),
        key=lambda action: action["_source"]["line"],
    )
    return actions, mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=15, help="copies of the example trace")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best is kept")
    parser.add_argument("--detector", default="gaussian1d")
    args = parser.parse_args()

    # noida-db's data file on tmpfs (where there is one) keeps disk noise out of the figures.
    memory = "/dev/shm" if Path("/dev/shm").is_dir() else None
    best: dict[str, Timing] = {}
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory(dir=memory) as data:
        csv = Path(tmp) / "cardata_tiled.csv"
        rows = make_input(args.copies, csv)
        process, url = start_noida(Path(data))
        client = Elasticsearch(url, request_timeout=60)
        try:
            for _ in range(args.repeat):
                timings = run_dsio(url, csv, "bench-dsio", args.detector)
                actions, mapping = read_back(client, "bench-dsio", rows)
                # noida-db rewrites its whole state on changes, so each side starts empty.
                client.indices.delete(index="bench-dsio")
                timings["raw streaming_bulk"] = run_raw(client, actions, "bench-raw", mapping)
                for label, timing in timings.items():
                    if label not in best or timing.seconds < best[label].seconds:
                        best[label] = timing
        finally:
            client.close()
            process.terminate()
            process.wait(timeout=10)

    raw = best["raw streaming_bulk"]
    print(f"{rows:,} documents ({args.copies} copies of {TRACE.name}), chunks of {CHUNK_SIZE}, ")
    print(f"best of {args.repeat} rounds; client-side = time not spent waiting on bulk requests")
    print(f"{'':28}{'docs/s':>9}{'x raw':>7}{'client-side ms per 1000 docs':>31}")
    for label in ("raw streaming_bulk", *(k for k in best if k.startswith("dsio"))):
        timing = best[label]
        rate = rows / timing.seconds
        per_thousand = 1000 * timing.client / rows * 1000
        ratio = rate / (rows / raw.seconds)
        print(f"{label:28}{rate:>9,.0f}{ratio:>7.2f}{per_thousand:>31,.0f}")


if __name__ == "__main__":
    main()
