"""How live is the live dashboard? 12 sensors at 1,000 rows/s for 2 minutes into one browser.

Runs the real command (``dsio --no-browser --speed 1`` on a generated 1 kHz CSV) and watches its
dashboard in headless Chromium (Debian's ``/usr/bin/chromium``). Prints:

* lag: for every row that reaches the page, the time from the moment the row was due (its
  replay time, when the engine hands it to the sinks) to the first animation frame in which
  the page's Bokeh document holds it - read in the page, on the same clock. Target: p95 < 2 s.
* memory: the dsio process's resident set after the warm-up and at the end. Target: flat
  (within 10 %): the dashboard keeps a bounded window whatever the stream's length.

Usage: ``python benchmarks/bench_bokeh.py [--seconds 120] [--rate 1000] [--sensors 12]``.
Not a test: its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

WARM_UP = 15.0  # seconds: page load and the first window are not the steady state

COLLECT_LAGS = """() => {
  const source = Bokeh.documents[0].get_model_by_name('dsio-rows');
  const shown = source.data.x;  // rows already in the page are not timed: only new arrivals
  window.__lags = []; let newest = shown.length ? shown[shown.length - 1] : -Infinity;
  const frame = () => {
    const x = source.data.x, now = Date.now();
    for (let i = x.length - 1; i >= 0 && x[i] > newest; i--) window.__lags.push(now - x[i]);
    if (x.length) newest = Math.max(newest, x[x.length - 1]);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}"""


def make_csv(path: Path, seconds: float, rate: int, sensors: int) -> int:
    """A stream of ``sensors`` noisy waves with rare spikes, ``rate`` rows per second."""
    rows = int(seconds * rate)
    rng = np.random.default_rng(7)
    k = np.arange(rows)
    frame = pd.DataFrame(
        {"time": pd.Timestamp("2024-01-01") + pd.to_timedelta(k * (1000 // rate), unit="ms")}
    )
    for i in range(sensors):
        wave = np.sin(k / (rate * (2 + i))) * (10 + i) + rng.normal(0, 0.3, rows)
        wave[rng.random(rows) < 0.0005] += 8 * (i + 1)
        frame[f"sensor_{i:02d}"] = wave.round(4)
    frame["time"] = frame["time"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3]
    frame.to_csv(path, index=False)
    return rows


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--rate", type=int, default=1000, help="rows per second")
    parser.add_argument("--sensors", type=int, default=12)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "bench_1khz.csv"
        rows = make_csv(data, args.seconds + WARM_UP + 10, args.rate, args.sensors)
        port = free_port()
        command = ["dsio", "--no-browser", "--bokeh-port", str(port), "--speed", "1", str(data)]
        dsio = subprocess.Popen(
            [sys.executable, "-m", *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
                )
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                deadline = time.monotonic() + 120
                while True:
                    try:
                        page.goto(f"http://127.0.0.1:{port}/")
                        break
                    except Exception:
                        if time.monotonic() > deadline or dsio.poll() is not None:
                            raise
                        time.sleep(0.25)
                page.wait_for_function(
                    "window.Bokeh && Bokeh.documents.length > 0", timeout=120_000
                )
                page.wait_for_timeout(WARM_UP * 1000)
                memory = [rss_mb(dsio.pid)]
                page.evaluate(COLLECT_LAGS)
                samples = int(args.seconds // 10)
                for _ in range(samples):
                    page.wait_for_timeout(10_000)
                    memory.append(rss_mb(dsio.pid))
                lags = np.array(page.evaluate("window.__lags")) / 1000
                painted = page.evaluate(
                    "Bokeh.documents[0].get_model_by_name('dsio-receipt').painted"
                )
                browser.close()
        finally:
            dsio.send_signal(signal.SIGINT)
            dsio.communicate(timeout=60)

    seconds = samples * 10
    print(f"{args.sensors} sensors at {args.rate:,} rows/s for {seconds} s ({rows:,} rows made)")
    print(
        f"rows in the page: {len(lags):,} ({len(lags) / seconds:,.0f}/s) "
        f"in {painted} updates ({painted / (seconds + WARM_UP):.1f}/s)"
    )
    p50, p95, p99 = np.percentile(lags, [50, 95, 99])
    print(
        f"lag scored -> in page: p50 {p50:.2f} s, p95 {p95:.2f} s, p99 {p99:.2f} s, "
        f"max {lags.max():.2f} s   (target p95 < 2 s)"
    )
    change = (memory[-1] - memory[0]) / memory[0] * 100
    print(
        f"dsio memory: {memory[0]:.0f} MB after warm-up, {memory[-1]:.0f} MB at the end "
        f"({change:+.1f} %; every 10 s: {' '.join(f'{m:.0f}' for m in memory)})   "
        "(target: within 10 %)"
    )


if __name__ == "__main__":
    main()
