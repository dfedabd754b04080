"""Scored batches turned into the dashboard's rows and header totals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dsio_bokeh.feed import Feed


def test_rows_carry_values_scores_and_flags_with_missing_values_kept_missing(
    schema_and_batches,
) -> None:
    make_schema, make_batch = schema_and_batches
    schema = make_schema(2)
    feed = Feed(schema, window=100)
    batch = make_batch(schema, 0, 6, missing=lambda k: k == 2, flagged=lambda k: k == 4)
    rows = feed.rows_of(batch)
    at = feed.columns.index
    assert rows[:, at("line")].tolist() == [2, 3, 4, 5, 6, 7]
    assert np.isnan(rows[2, at("v0")]) and np.isnan(rows[2, at("v1")])  # never a zero
    assert rows[4, at("v1")] == 1004.0
    assert np.isnan(rows[2, at("s0")])
    assert rows[4, at("s1")] == 0.999
    assert rows[:, at("f0")].tolist()[:2] == [0.0, 0.0]
    assert np.isnan(rows[2, at("f0")])  # no score, no flag
    assert rows[4, at("f0")] == 1.0


def test_times_are_wall_clock_milliseconds_of_the_display_zone(schema_and_batches) -> None:
    make_schema, make_batch = schema_and_batches
    # 2024-03-31 is the night Berlin moves from UTC+1 to UTC+2, at 01:00 UTC.
    feed = Feed(make_schema(1, timezone="Europe/Berlin"), window=10)
    batch = make_batch(feed.schema, 0, 1, t0="2024-03-31T00:30:00")
    later = make_batch(feed.schema, 0, 1, t0="2024-03-31T01:30:00")
    t = feed.columns.index("t")
    assert feed.rows_of(batch)[0, t] == pd.Timestamp("2024-03-31T01:30:00").value / 1e6
    assert feed.rows_of(later)[0, t] == pd.Timestamp("2024-03-31T03:30:00").value / 1e6
    utc = Feed(make_schema(1), window=10)
    assert utc.rows_of(batch)[0, t] == pd.Timestamp("2024-03-31T00:30:00").value / 1e6


def test_status_counts_all_rows_and_anomalies_beyond_the_window(schema_and_batches) -> None:
    make_schema, make_batch = schema_and_batches
    schema = make_schema(3)
    feed = Feed(schema, window=10)
    feed.append(make_batch(schema, 0, 50, flagged=lambda k: k % 10 == 0))
    feed.append(make_batch(schema, 50, 50, flagged=lambda k: k == 99))
    status = feed.status()
    assert status.rows == 100
    assert status.anomalies == (6, 6, 6)
    assert not status.ended
    assert len(feed.read_since(0).rows) == 10
    feed.end()
    assert feed.status().ended
    assert feed.status().rows_per_second == 0.0


def test_multivariate_rows_have_one_score_and_flag_per_row(schema_and_batches) -> None:
    make_schema, make_batch = schema_and_batches
    schema = make_schema(3, multivariate=True)
    feed = Feed(schema, window=10)
    feed.append(make_batch(schema, 0, 5, flagged=lambda k: k == 3))
    assert feed.columns.names == ["x", "t", "line", "v0", "v1", "v2", "s0", "f0"]
    assert feed.status().anomalies == (1,)
