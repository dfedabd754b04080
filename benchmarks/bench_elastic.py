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
compare dsio with the client on this server, not with a real cluster. The best of ``--repeat``
rounds is kept. Target: dsio at least 0.8 of the raw rate.

    python benchmarks/bench_elastic.py [--copies 10] [--repeat 2] [--detector gaussian1d]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
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


def run_dsio(url: str, csv: Path, index: str, detector: str) -> tuple[float, float, float]:
    """Seconds: end to end, of the run as dsio reports it, and inside the Elasticsearch sink."""
    command = [sys.executable, "-m", "dsio", "--es-uri", url, "--es-index", index]
    command += ["--es-recreate", "--no-bokeh", "--speed", "0", "--no-browser"]
    command += ["--detector", detector, str(csv)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"dsio failed:\n{result.stderr}")
    output = result.stdout + result.stderr
    run = re.search(r"([\d,]+) rows in ([\d.]+) s", output)
    sink = re.search(r"rows indexed into .* in ([\d.]+) s", output)
    if not (run and sink):
        raise SystemExit(f"no timings in dsio's output:\n{output}")
    return elapsed, float(run.group(2)), float(sink.group(1))


def run_raw(client: Elasticsearch, actions: list[dict], index: str, mapping: dict) -> float:
    client.indices.create(index=index, mappings=mapping)
    started = time.perf_counter()
    for ok, item in streaming_bulk(client, actions, index=index, chunk_size=CHUNK_SIZE):
        if not ok:
            raise SystemExit(f"raw bulk failed: {item}")
    elapsed = time.perf_counter() - started
    client.indices.delete(index=index)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="copies of the example trace")
    parser.add_argument("--repeat", type=int, default=2, help="rounds; the best is kept")
    parser.add_argument("--detector", default="gaussian1d")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "cardata_tiled.csv"
        rows = make_input(args.copies, csv)
        process, url = start_noida(Path(tmp) / "noida")
        client = Elasticsearch(url, request_timeout=60)
        try:
            best = dict.fromkeys(("end to end", "run", "sink", "raw"), float("inf"))
            for _ in range(args.repeat):
                wall, run, sink = run_dsio(url, csv, "bench-dsio", args.detector)
                client.indices.refresh(index="bench-dsio")
                count = client.count(index="bench-dsio")["count"]
                if count != rows:
                    raise SystemExit(f"dsio indexed {count} documents of {rows}")
                mapping = client.indices.get_mapping(index="bench-dsio")["bench-dsio"]["mappings"]
                hits = scan(client, index="bench-dsio")
                actions = sorted(
                    ({"_id": hit["_id"], "_source": hit["_source"]} for hit in hits),
                    key=lambda action: action["_source"]["line"],
                )
                # noida-db rewrites its whole state on changes, so each side starts empty.
                client.indices.delete(index="bench-dsio")
                raw = run_raw(client, actions, "bench-raw", mapping)
                for label, seconds in zip(best, (wall, run, sink, raw), strict=True):
                    best[label] = min(best[label], seconds)
        finally:
            client.close()
            process.terminate()
            process.wait(timeout=10)

    raw_rate = rows / best["raw"]
    print(f"{rows:,} documents ({args.copies} copies of {TRACE.name}), chunks of {CHUNK_SIZE}")
    print(f"{'':28}{'docs/s':>10}{'x raw':>8}")
    print(f"{'raw streaming_bulk':28}{raw_rate:>10,.0f}{1:>8.2f}")
    for label, meaning in (
        ("sink", "Elasticsearch sink"),
        ("run", "whole run"),
        ("end to end", "end to end"),
    ):
        rate = rows / best[label]
        print(f"{'dsio, ' + meaning:28}{rate:>10,.0f}{rate / raw_rate:>8.2f}")


if __name__ == "__main__":
    main()
