"""``dsio evaluate`` end to end: the real command, the real CSV source, a real detector file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dsio.evaluate.command import PROFILE_NAMES
from dsio.evaluate.evaluation import evaluate_corpus, open_corpus
from dsio.evaluate.nab import PROFILES
from dsio.evaluate.threshold import ThresholdSweep
from dsio.params import build_detector
from dsio.plugins import PluginHost
from dsio.scoring import SensorScorer

STEP = Path(__file__).resolve().parent / "plugins" / "step_detector.py"
ROWS = 200
WINDOW = (100, 119)  # rows of the anomaly window in every labelled file


def write_series(path: Path, jump: int | None, label: bool = False) -> None:
    """A flat series that jumps by 100 at row ``jump`` (and stays there)."""
    values = np.zeros(ROWS)
    if jump is not None:
        values[jump:] = 100.0
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=ROWS, freq="5min"),
            "value": values,
        }
    )
    if label:
        frame["label"] = 0
        frame.loc[WINDOW[0] : WINDOW[1], "label"] = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)


def stamp(row: int) -> str:
    return str(pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=5 * row))


@pytest.fixture
def corpus(tmp_path) -> Path:
    """NAB's layout: data/<category>/<file>.csv and labels/combined_windows.json beside it."""
    window = [stamp(WINDOW[0]), stamp(WINDOW[1])]
    write_series(tmp_path / "data" / "steps" / "a.csv", jump=WINDOW[0])
    write_series(tmp_path / "data" / "steps" / "b.csv", jump=WINDOW[0])
    write_series(tmp_path / "data" / "steps" / "c.csv", jump=None)
    labels = {"steps/a.csv": [window], "steps/b.csv": [window], "steps/c.csv": []}
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "combined_windows.json").write_text(json.dumps(labels))
    return tmp_path / "data"


def profile_rows(stdout: str) -> dict[str, list[str]]:
    rows = {}
    for line in stdout.splitlines():
        cells = line.split()
        if cells and cells[0] in PROFILES:
            rows[cells[0]] = cells[1:]
    return rows


def test_detections_on_every_window_start_score_100_on_every_profile(dsio_cli, corpus):
    result = dsio_cli("evaluate", "--modules", STEP, "--detector", "StepDetector", corpus)
    assert result.returncode == 0, result.stderr
    rows = profile_rows(result.stdout)
    assert list(rows) == list(PROFILE_NAMES)
    for cells in rows.values():
        # NAB score, half-split, at default, threshold, found, missed, false positives
        assert cells[:3] == ["100.00", "100.00", "100.00"]
        assert cells[4:] == ["2", "0", "0"]
    assert "3 series, 600 rows, 2 anomaly windows" in result.stdout


def test_verbose_shows_every_file_and_profile_option_restricts(dsio_cli, corpus):
    result = dsio_cli(
        "evaluate", "--modules", STEP, "-d", "StepDetector", "--profile", "standard", "-v", corpus
    )
    assert result.returncode == 0, result.stderr
    assert list(profile_rows(result.stdout)) == ["standard"]
    for name in ("steps/a.csv", "steps/b.csv", "steps/c.csv"):
        assert re.search(rf"^{name}\s+200\s+", result.stdout, re.MULTILINE), result.stdout


def test_output_keeps_scores_in_nab_results_layout(dsio_cli, corpus, tmp_path):
    out = tmp_path / "results"
    result = dsio_cli("evaluate", "--modules", STEP, "-d", "StepDetector", "-o", out, corpus)
    assert result.returncode == 0, result.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.csv"))
    assert written == [f"StepDetector/steps/StepDetector_{n}.csv" for n in ("a", "b", "c")]
    frame = pd.read_csv(out / "StepDetector" / "steps" / "StepDetector_a.csv")
    assert list(frame.columns) == ["timestamp", "value", "anomaly_score", "label"]
    assert frame["timestamp"].iloc[WINDOW[0]] == stamp(WINDOW[0])
    assert frame["anomaly_score"].tolist() == [0.0] * WINDOW[0] + [1.0] + [0.0] * 99
    assert frame.index[frame["label"] == 1].tolist() == list(range(WINDOW[0], WINDOW[1] + 1))


def test_label_column_gives_precision_recall_and_f1(dsio_cli, tmp_path):
    path = tmp_path / "labelled.csv"
    write_series(path, jump=WINDOW[0], label=True)
    result = dsio_cli(
        "evaluate", "--modules", STEP, "-d", "StepDetector", "--label-column", "label", path
    )
    assert result.returncode == 0, result.stderr
    assert "precision" in result.stdout
    cells = profile_rows(result.stdout)["standard"]
    # one detection, on the window's first row: NAB 100; 20 labelled rows: recall 1/20
    assert cells[0] == "100.00"
    assert cells[-3:] == ["1.00", "0.05", "0.10"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--labels", "{labels}", "--label-column", "label"], "alternatives"),
        (["-d", "StepDetectr"], "did you mean 'StepDetector'"),
        (["-p", "widht=3"], "has no parameter 'widht'"),
        (["--labels", "{missing}"], "no windows for"),
    ],
)
def test_user_mistakes_are_one_line_errors(dsio_cli, corpus, arguments, message):
    labels = corpus.parent / "labels" / "combined_windows.json"
    missing = corpus.parent / "partial.json"
    missing.write_text(json.dumps({"steps/a.csv": []}))
    args = [a.format(labels=labels, missing=missing) for a in arguments]
    result = dsio_cli("evaluate", "--modules", STEP, "-d", "StepDetector", *args, corpus)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("dsio: error:")


def test_replay_scores_each_file_with_a_fresh_detector_before_learning(shared):
    """The evaluated scores are exactly a fresh detector's, fed through the engine's scorer."""
    data = shared("data", "nab", "data", "realKnownCause")
    host = PluginHost()
    host.load_installed()
    host.load_module(str(STEP))
    corpus = open_corpus(data)
    corpus = replace(corpus, files=corpus.files[-2:])
    kept = []
    evaluation = evaluate_corpus(host, corpus, "StepDetector", {"scale": 50.0}, on_file=kept.append)
    entry = host.detectors.get("StepDetector")
    series = []
    for labelled in kept:
        values = pd.read_csv(labelled.file.path)["value"].to_numpy(float)
        detector = build_detector(entry.factory, entry.name, {"scale": 50.0})
        expected = SensorScorer(detector, entry.name, "value").score_stream(values)
        np.testing.assert_array_equal(labelled.scored.scores, expected)
        series.append((expected, labelled.windows))
    sweep = ThresholdSweep(series)
    for result in evaluation.profiles:
        best = sweep.best(result.profile)
        assert result.threshold == best.threshold
        assert result.score == pytest.approx(
            result.profile.normalised(best.raw, sweep.scored_windows())
        )
        assert sum(f.raw for f in result.files) == pytest.approx(best.raw)


def test_profile_names_of_the_command_are_the_scorers():
    assert tuple(PROFILES) == PROFILE_NAMES


def test_building_the_command_imports_neither_pandas_nor_the_scorer():
    code = (
        "import sys; import dsio.evaluate.command; "
        "print(sorted(m for m in ('pandas', 'dsio.evaluate.nab') if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


@pytest.mark.slow
def test_whole_nab_corpus_with_gaussian1d(dsio_cli, shared):
    data = shared("data", "nab", "data")
    labels = shared("data", "nab", "labels", "combined_windows.json")
    result = dsio_cli("evaluate", "--detector", "gaussian1d", data, "--labels", labels)
    assert result.returncode == 0, result.stderr
    rows = profile_rows(result.stdout)
    assert list(rows) == list(PROFILE_NAMES)
    assert "58 series, 365,558 rows, 116 anomaly windows" in result.stdout
    for cells in rows.values():
        assert 0.0 <= float(cells[0]) <= 100.0
