"""The real ``dsio`` command in a subprocess: options, sub-commands and one-line errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from dsio.cli import _expand_multi_values

CORE_ONLY = {"DSIO_PLUGINS": ""}
TAKING_VALUES = {
    "--sensors",
    "--modules",
    "--speed",
    "--bokeh-port",
}  # only dsio-core's built-ins, whatever else is installed


@pytest.fixture
def small_csv(tmp_path):
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame(
        {
            "time": pd.date_range("2024-03-01", periods=n, freq="s").strftime("%Y-%m-%d %H:%M:%S"),
            "speed": 50 + rng.normal(0, 1, n),
            "rpm": 2000 + rng.normal(0, 20, n),
        }
    )
    frame.loc[300, "speed"] = 90.0  # an obvious spike
    path = tmp_path / "small.csv"
    frame.to_csv(path, index=False)
    return path


def _no_traceback(result):
    assert "Traceback" not in result.stderr, result.stderr


def test_help_lists_sub_commands(dsio_cli):
    result = dsio_cli("--help")
    assert result.returncode == 0
    for command in ("run", "plugins", "detectors", "evaluate"):
        assert command in result.stdout


def test_output_file_has_time_values_scores_and_flags_for_every_row(dsio_cli, small_csv, tmp_path):
    out = tmp_path / "scored.csv"
    result = dsio_cli("--speed", "0", "--no-bokeh", "--output", out, small_csv, env=CORE_ONLY)
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(out)
    assert list(scored.columns) == [
        "time",
        "speed",
        "rpm",
        "SCORE_speed",
        "FLAG_speed",
        "SCORE_rpm",
        "FLAG_rpm",
    ]
    assert len(scored) == 400
    assert scored["SCORE_speed"].between(0, 1).sum() >= 390
    assert scored["SCORE_speed"].idxmax() == 300  # the spike is the most anomalous row
    assert scored.loc[300, "FLAG_speed"] == 1
    assert pd.Timestamp(scored.loc[0, "time"]) == pd.Timestamp("2024-03-01 00:00:00", tz="UTC")
    assert "400 rows" in result.stdout and "wrote 400 rows" in result.stderr


def test_parquet_output(dsio_cli, small_csv, tmp_path):
    out = tmp_path / "scored.parquet"
    result = dsio_cli("--speed", "0", "--quiet", "-o", out, small_csv, env=CORE_ONLY)
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out)
    assert table.num_rows == 400
    assert str(table.schema.field("time").type) == "timestamp[ns, tz=UTC]"
    assert str(table.schema.field("FLAG_rpm").type) == "int8"


def test_seed_style_sensor_list_selects_columns(dsio_cli, small_csv, tmp_path):
    out = tmp_path / "scored.csv"
    result = dsio_cli("--sensors", "rpm", "--speed", "0", "-o", out, small_csv, env=CORE_ONLY)
    assert result.returncode == 0, result.stderr
    assert list(pd.read_csv(out).columns) == ["time", "rpm", "SCORE_rpm", "FLAG_rpm"]


def test_multi_value_options_are_expanded_like_the_seed_argparse():
    assert _expand_multi_values(
        ["--sensors", "a", "b", "--speed", "5", "f.csv"], TAKING_VALUES
    ) == [
        "--sensors",
        "a",
        "--sensors",
        "b",
        "--speed",
        "5",
        "f.csv",
    ]
    # The last value is the input when nothing else is positional.
    assert _expand_multi_values(["--sensors", "a", "b", "f.csv"], TAKING_VALUES) == [
        "--sensors",
        "a",
        "--sensors",
        "b",
        "f.csv",
    ]
    assert _expand_multi_values(["--modules=x.py", "-"], TAKING_VALUES) == [
        "--modules",
        "x.py",
        "-",
    ]
    # A plugin option's value is not the input either.
    assert _expand_multi_values(
        ["--sensors", "a", "f.csv", "--bokeh-port", "5002"], TAKING_VALUES
    ) == ["--sensors", "a", "--bokeh-port", "5002", "f.csv"]


def test_unknown_detector_names_it_and_lists_the_available_ones(dsio_cli, shared):
    case = shared("cases", "B01_epoch_ms.csv")
    result = dsio_cli("--detector", "Threshold", "--no-bokeh", "--speed", "0", case)
    assert result.returncode == 2
    assert "unknown detector 'Threshold'" in result.stderr
    assert "Gaussian1D" in result.stderr and "Percentile1D" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    _no_traceback(result)


def test_broken_modules_file_is_an_error_without_fallback(dsio_cli, shared, tmp_path):
    out = tmp_path / "never.csv"
    result = dsio_cli(
        "--modules",
        shared("cases", "B31_detector_indentation_error.py"),
        "--detector",
        "Threshold",
        "--speed",
        "0",
        "--no-bokeh",
        "-o",
        out,
        shared("cases", "B01_epoch_ms.csv"),
    )
    assert result.returncode == 3
    assert "B31_detector_indentation_error.py" in result.stderr
    assert "line 18" in result.stderr and "IndentationError" in result.stderr
    assert not out.exists()
    _no_traceback(result)


def test_verbose_shows_the_traceback(dsio_cli, shared):
    result = dsio_cli(
        "-v",
        "--modules",
        shared("cases", "B31_detector_indentation_error.py"),
        "--detector",
        "Threshold",
        shared("cases", "B01_epoch_ms.csv"),
    )
    assert result.returncode == 3 and "Traceback" in result.stderr


def test_plugin_options_without_their_plugin_say_what_to_install(dsio_cli, small_csv):
    result = dsio_cli("--es", small_csv, env=CORE_ONLY)
    assert result.returncode == 2
    assert "option --es needs the dsio-elastic plugin: pip install dsio-elastic" in result.stderr
    result = dsio_cli("--bokeh-port", "5002", small_csv, env=CORE_ONLY)
    assert "pip install dsio-bokeh" in result.stderr
    _no_traceback(result)


def test_no_bokeh_is_accepted_without_dsio_bokeh(dsio_cli, small_csv):
    result = dsio_cli("--no-bokeh", "--speed", "0", "--quiet", small_csv, env=CORE_ONLY)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--param", "nonsense=1"], "has no parameter 'nonsense'"),
        (["--sensors", "nope"], "nope"),
        (["--speed", "-1"], "-1"),
    ],
)
def test_bad_options_are_one_line_errors(dsio_cli, small_csv, args, message):
    result = dsio_cli(*args, "--no-bokeh", small_csv, env=CORE_ONLY)
    assert result.returncode == 2
    assert message in result.stderr
    _no_traceback(result)


def test_missing_input_file(dsio_cli, tmp_path):
    result = dsio_cli("--no-bokeh", tmp_path / "absent.csv", env=CORE_ONLY)
    assert result.returncode != 0
    assert "absent.csv" in result.stderr
    _no_traceback(result)


def test_plugins_and_detectors_listings(dsio_cli):
    plugins = dsio_cli("plugins")
    assert plugins.returncode == 0
    assert "detectors  (dsio-core 0.1.0)  ok" in plugins.stdout
    detectors = dsio_cli("detectors")
    assert "Gaussian1D  [detectors]" in detectors.stdout
    assert "parameters:" in detectors.stdout and "threshold=" in detectors.stdout


def test_modules_detector_runs_by_any_spelling_of_its_name(dsio_cli, small_csv, tmp_path):
    module = tmp_path / "mine.py"
    module.write_text(
        "import numpy as np\n"
        "from dsio import AnomalyDetector\n\n"
        "class Greater_Than_Limit(AnomalyDetector):\n"
        "    '''Flags values above a limit.'''\n"
        "    def __init__(self, limit: float = 60.0, threshold: float = 0.5):\n"
        "        super().__init__(threshold)\n"
        "        self.limit = limit\n"
        "    def update(self, x):\n"
        "        pass\n"
        "    def score(self, x):\n"
        "        return (np.asarray(x) > self.limit).astype(float)\n"
    )
    out = tmp_path / "scored.csv"
    result = dsio_cli(
        "--modules",
        module,
        "--detector",
        "greater-than-limit",
        "--param",
        "limit=80",
        "--sensors",
        "speed",
        "--speed",
        "0",
        "-o",
        out,
        small_csv,
        env=CORE_ONLY,
    )
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(out)
    assert scored["FLAG_speed"].sum() == 1 and scored.loc[300, "FLAG_speed"] == 1


def test_a_failing_output_file_is_a_one_line_error(dsio_cli, small_csv):
    result = dsio_cli("--speed", "0", "-q", "-o", "/dev/full", small_csv, env=CORE_ONLY)
    assert result.returncode == 5
    assert "--output /dev/full: cannot write" in result.stderr
    assert "No space left on device" in result.stderr
    _no_traceback(result)
