"""How fast ``dsio --speed 0 --output out.csv`` goes through a big CSV, and what memory it needs.

Not a test: it prints figures. For a generated file of N rows x 12 sensors (ISO time column) it
runs, each in a fresh process of its own:

* ``pyarrow``: the baseline, the fastest plain read + write of the same columns dsio writes:
  pyarrow's CSV reader, then its writer on the time, the 12 sensors and a score and a 0/1 flag
  per sensor (37 columns, random scores with as many digits as real ones);
* ``copy``: pyarrow's read + write of the 13 input columns as they are, for context (dsio
  writes almost three times as many columns, and formatting numbers is most of the cost);
* ``source``: dsio's CSV source alone, every frame read and dropped (what reading costs);
* ``dsio``: the real command, ``dsio --speed 0 --output out.csv --no-bokeh -q``.

It prints wall and CPU seconds, rows/s and peak resident memory of each, and the ratio of
dsio's time to the baseline (target: within 1.5x). Memory is measured for 1 M and 5 M rows
(target: 5 M within 1.3x of 1 M), because a source that keeps the file, or a sink that keeps
the rows, grows with the file. The machine is shared: ``--repeat N`` runs everything N times,
interleaved, and keeps each one's fastest run.

    python benchmarks/bench_csv.py              # 1 M and 5 M rows
    python benchmarks/bench_csv.py --rows 200000 --no-5m --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENSORS = 12

COPY = """
import sys, pyarrow.csv as csv
csv.write_csv(csv.read_csv(sys.argv[1]), sys.argv[2])
"""

BASELINE = """
import sys, numpy as np, pyarrow as pa, pyarrow.csv as csv
table = csv.read_csv(sys.argv[1])
columns = {name: table[name] for name in table.column_names}
rng = np.random.default_rng(0)
for name in table.column_names[1:]:
    columns["SCORE_" + name] = pa.array(rng.random(table.num_rows))
    columns["FLAG_" + name] = pa.array(np.zeros(table.num_rows, dtype=np.int8))
csv.write_csv(pa.table(columns), sys.argv[2])
"""

SOURCE_ONLY = """
import sys
from dsio import SourceOptions
from dsio.sources.csv import CsvSource
source = CsvSource(sys.argv[1], SourceOptions())
source.open()
for frame in source.frames():
    pass
source.close()
"""


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` rows of a time column and 12 noisy sensors with pyarrow's writer."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as csv

    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    block = 500_000
    with csv.CSVWriter(path, _schema()) as writer:
        for first in range(0, rows, block):
            n = min(block, rows - first)
            columns = {"timestamp": pa.array(start + np.arange(first, first + n))}
            for i in range(SENSORS):
                values = np.round(rng.normal(20 + i, 1 + i / 4, n), 3)
                values[rng.random(n) < 1e-4] *= 5  # a few spikes to flag
                columns[f"sensor_{i}"] = pa.array(values)
            writer.write_table(pa.table(columns))


def _schema():
    import pyarrow as pa

    fields = [pa.field("timestamp", pa.timestamp("s"))]
    fields += [pa.field(f"sensor_{i}", pa.float64()) for i in range(SENSORS)]
    return pa.schema(fields)


def measure(command: list[str], folder: Path) -> tuple[float, float, float]:
    """Run ``command``; return its wall seconds, CPU seconds and peak resident MB."""
    log = folder / "stderr.txt"
    with open(log, "wb") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = code = os.waitstatus_to_exitcode(status)  # reaped by wait4
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed ({code}):\n{log.read_text()[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def dsio_command() -> list[str]:
    found = shutil.which("dsio")
    return [found] if found else [sys.executable, "-m", "dsio"]


def run_size(rows: int, folder: Path, repeat: int = 1) -> dict[str, tuple[float, float]]:
    """Generate ``rows`` rows, run everything on them; return each run's (seconds, peak MB)."""
    data = folder / f"bench_{rows}.csv"
    started = time.perf_counter()
    generate(data, rows)
    size = data.stat().st_size / 2**20
    print(
        f"\n{rows:,} rows x {SENSORS} sensors, {size:,.0f} MB "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )
    out = folder / "out.csv"
    runs = {
        "pyarrow": [sys.executable, "-c", BASELINE, str(data), str(out)],
        "copy": [sys.executable, "-c", COPY, str(data), str(out)],
        "source": [sys.executable, "-c", SOURCE_ONLY, str(data)],
        "dsio": [
            *dsio_command(),
            "--speed",
            "0",
            "--output",
            str(out),
            "--no-bokeh",
            "-q",
            str(data),
        ],
    }
    best: dict[str, tuple[float, float, float]] = {}
    written: dict[str, float] = {}
    for _ in range(repeat):
        for name, command in runs.items():
            result = measure(command, folder)
            if name not in best or result[0] < best[name][0]:
                best[name] = result
            if out.exists():
                written[name] = out.stat().st_size / 2**20
            out.unlink(missing_ok=True)
    for name, (seconds, cpu, peak) in best.items():
        output = f", output {written[name]:,.0f} MB" if name in written else ""
        print(
            f"  {name:8s} {seconds:7.2f} s ({cpu:6.2f} s CPU) {rows / seconds:10,.0f} rows/s  "
            f"peak {peak:6,.0f} MB{output}"
        )
    dsio = best["dsio"][0]
    print(
        f"  dsio / pyarrow (read + write of the same {SENSORS * 3 + 1} columns): "
        f"{dsio / best['pyarrow'][0]:.2f}x (target <= 1.5x)"
    )
    print(
        f"  for context, dsio / copy of the {SENSORS + 1} input columns: "
        f"{dsio / best['copy'][0]:.2f}x"
    )
    data.unlink()
    return {name: (seconds, peak) for name, (seconds, _, peak) in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-5m", action="store_true", help="skip the 5 M-row memory run")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the files")
    parser.add_argument("--repeat", type=int, default=1, help="keep the fastest of N runs")
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f} (other work on the machine skews the times)"
    )
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        small = run_size(args.rows, Path(folder), args.repeat)
        if args.no_5m:
            return
        big = run_size(5 * args.rows, Path(folder), args.repeat)
    print()
    for name in ("source", "dsio"):
        growth = big[name][1] / small[name][1]
        print(
            f"peak memory of {name}, {5 * args.rows:,} vs {args.rows:,} rows: "
            f"{big[name][1]:,.0f} / {small[name][1]:,.0f} MB = {growth:.2f}x (target <= 1.3x)"
        )


if __name__ == "__main__":
    main()
