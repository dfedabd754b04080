"""The Bokeh models of one session's page: a header, then a plot and a score strip per sensor.

Everything here is built fresh for each session's document (Bokeh models belong to exactly one
document) and touched only from that document's callbacks. The sensors share one data source
(they share their rows) and one x range (pan or zoom one plot and all follow); each sensor has a
small second source holding just its flagged points, so that the red marks cost nothing to draw
where there are no anomalies.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
from bokeh.core.properties import Int
from bokeh.layouts import gridplot
from bokeh.model import DataModel
from bokeh.models import (
    ColumnDataSource,
    CustomJS,
    DataRange1d,
    DatetimeTickFormatter,
    Div,
    Grid,
    HoverTool,
    Label,
    Range1d,
    Span,
)
from bokeh.plotting import figure
from numpy.typing import NDArray

from dsio.stream import Schema
from dsio_bokeh.feed import Columns, Status

#: Names the browser test and the benchmark use to find things in the page's document.
ROWS_SOURCE = "dsio-rows"
RECEIPT = "dsio-receipt"
PLOT_PREFIX = "dsio-plot-"

LINE_COLOR = "#2c5282"
ANOMALY_COLOR = "#e53e3e"
SCORE_COLOR = "#dd6b20"
#: Room for the value axis; plots and strips share it so that their time axes line up.
BORDER_LEFT = 64
#: Tick labels of the time axis (a fresh formatter per plot: models belong to one document).
TIME_FORMATS = {
    "milliseconds": "%H:%M:%S.%3N",
    "seconds": "%H:%M:%S",
    "minsec": "%H:%M:%S",
    "minutes": "%H:%M",
    "hourmin": "%H:%M",
    "hours": "%H:%M",
    "days": "%b %d",
}


class Receipt(DataModel):
    """Counts the row updates the browser has applied and painted; synced back to the server.

    The session sends a new update only when the previous one has been painted, so a slow or
    hidden tab gets fewer, larger updates instead of an ever-growing backlog of messages.
    """

    painted = Int(0)


@dataclass
class Dashboard:
    """The models of one session's page, and the few operations the session performs on them."""

    schema: Schema
    columns: Columns
    window: int
    header: Div
    body: object
    rows: ColumnDataSource
    anomalies: list[ColumnDataSource]
    plots: list[object]
    receipt: Receipt
    _shown: tuple = field(default=())

    @property
    def roots(self) -> list[object]:
        """The page's roots: separate, so that a new header never re-lays out the plots."""
        return [self.header, self.body]

    def fill(self, rows: NDArray[np.float64]) -> None:
        """Replace the page's rows (before the document goes to the browser)."""
        data = self._row_data(rows)
        self.rows.data = data
        for i, source in enumerate(self.anomalies):
            source.data = self._marks(i, rows, data)

    def stream(self, rows: NDArray[np.float64]) -> None:
        """Append rows (n x feed width) to the page, keeping the last ``window`` of them."""
        data = self._row_data(rows)
        self.rows.stream(data, rollover=self.window)
        oldest = self.rows.data["x"][0]
        for i, source in enumerate(self.anomalies):
            marks = self._marks(i, rows, data)
            shown = np.asarray(source.data["x"])
            kept = int(np.count_nonzero(shown >= oldest))
            if len(marks["x"]):
                source.stream(marks, rollover=kept + len(marks["x"]))
            elif kept < len(shown):  # marks whose line has rolled out of the page go too
                source.data = {
                    k: np.asarray(v)[len(shown) - kept :] for k, v in source.data.items()
                }

    def _row_data(self, rows: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        names = self.columns.names
        return {name: rows[:, k] for k, name in enumerate(names) if not name.startswith("f")}

    def _marks(
        self, i: int, rows: NDArray[np.float64], data: dict[str, NDArray[np.float64]]
    ) -> dict[str, NDArray[np.float64]]:
        """Sensor ``i``'s flagged points among ``rows`` (where it has a value to mark)."""
        target = 0 if self.schema.multivariate else i
        value = data[f"v{i}"]
        marked = (rows[:, self.columns.index(f"f{target}")] == 1.0) & ~np.isnan(value)
        return {
            "x": data["x"][marked],
            "t": data["t"][marked],
            "y": value[marked],
            "score": data[f"s{target}"][marked],
            "line": data["line"][marked],
        }

    def show(self, status: Status) -> None:
        """Refresh the header (and plot titles) when the totals changed since last time."""
        shown = (status.rows, round(status.rows_per_second), status.anomalies, status.ended)
        if shown == self._shown:
            return
        self._shown = shown
        self.header.text = header_html(self.schema, self.window, status)
        if not self.schema.multivariate:
            for sensor, plot, count in zip(
                self.schema.sensors, self.plots, status.anomalies, strict=True
            ):
                title = sensor if not count else f"{sensor}  ({_anomalies(count)})"
                if plot.title.text != title:
                    plot.title.text = title


def _anomalies(count: int) -> str:
    return "1 anomaly" if count == 1 else f"{count:,} anomalies"


def _empty_marks() -> dict[str, NDArray[np.float64]]:
    return {name: np.empty(0) for name in ("x", "t", "y", "score", "line")}


def build(schema: Schema, columns: Columns, *, window: int, cols: int) -> Dashboard:
    """Create the page for ``schema``: a header, then a grid of ``cols`` sensors per row."""
    empty = {name: np.empty(0) for name in columns.names if not name.startswith("f")}
    rows = ColumnDataSource(data=empty, name=ROWS_SOURCE)
    receipt = Receipt(name=RECEIPT)
    rows.js_on_change(
        "streaming",
        CustomJS(
            args={"receipt": receipt},
            code="requestAnimationFrame(() => { receipt.painted = receipt.painted + 1 })",
        ),
    )
    x_range = DataRange1d(range_padding=0.01)
    plots, strips, marks = [], [], []
    cols = max(1, min(cols, len(schema.sensors)))
    for i, sensor in enumerate(schema.sensors):
        target = 0 if schema.multivariate else i
        plot, anomalies = _sensor_plot(schema, sensor, i, target, rows, x_range)
        plots.append(plot)
        marks.append(anomalies)
        # One time axis per column, under its last plot: every axis repaints on every update.
        time_axis = i + cols >= len(schema.sensors)
        strips.append(_score_strip(schema, target, rows, x_range, time_axis=time_axis))
    # The time range spans the rows, not just the values, so that when the newest values are
    # missing the gap shows at the right edge. One invisible glyph does that for every plot.
    strips[0].line("x", y=0, source=rows, line_alpha=0)
    grid: list[list[object]] = []
    for start in range(0, len(plots), cols):
        grid.append(plots[start : start + cols])
        grid.append(strips[start : start + cols])
    body = gridplot(
        grid,
        merge_tools=True,
        toolbar_location="right",
        sizing_mode="stretch_width",
    )
    header = Div(text="", sizing_mode="stretch_width")
    return Dashboard(schema, columns, window, header, body, rows, marks, plots, receipt)


def _sensor_plot(
    schema: Schema,
    sensor: str,
    i: int,
    target: int,
    rows: ColumnDataSource,
    x_range: DataRange1d,
) -> tuple[object, ColumnDataSource]:
    plot = figure(
        name=f"{PLOT_PREFIX}{sensor}",
        title=sensor,
        height=170,
        sizing_mode="stretch_width",
        x_range=x_range,
        x_axis_type="datetime",
        x_axis_location=None,  # the strip underneath carries the time axis
        tools="xpan,xwheel_zoom,box_zoom,reset,save",
        min_border_left=BORDER_LEFT,
        min_border_right=8,
        min_border_bottom=0,
    )
    plot.center = [c for c in plot.center if not (isinstance(c, Grid) and c.dimension == 0)]
    plot.title.text_font_size = "11pt"
    plot.yaxis.minor_tick_line_color = None
    plot.yaxis.major_label_text_font_size = "8pt"
    plot.ygrid.grid_line_alpha = 0.5
    line = plot.line("x", f"v{i}", source=rows, color=LINE_COLOR, line_width=1)
    anomalies = ColumnDataSource(data=_empty_marks(), name=f"dsio-anomalies-{i}")
    marks = plot.scatter(
        "x",
        "y",
        source=anomalies,
        size=10,
        color=ANOMALY_COLOR,
        line_color="#742a2a",
        line_width=1,
    )
    plot.y_range = DataRange1d(renderers=[line], range_padding=0.08)
    time_label = f"replay time ({schema.timezone})"  # the data's own time is "data time"
    plot.add_tools(
        HoverTool(
            renderers=[line],
            mode="vline",
            tooltips=[
                (time_label, "@x{%F %T}"),
                ("data time", "@t{%F %T}"),
                (sensor, f"@v{i}{{0,0.[000]}}"),
                ("score", f"@s{target}{{0.000}}"),
                ("input line", "@line{0}"),
            ],
            formatters={"@x": "datetime", "@t": "datetime"},
        ),
        HoverTool(
            renderers=[marks],
            tooltips=[
                ("ANOMALY", "@t{%F %T}"),
                (sensor, "@y{0,0.[000]}"),
                ("score", "@score{0.000}"),
                ("input line", "@line{0}"),
            ],
            formatters={"@t": "datetime"},
        ),
    )
    return plot, anomalies


def _score_strip(
    schema: Schema,
    target: int,
    rows: ColumnDataSource,
    x_range: DataRange1d,
    *,
    time_axis: bool,
) -> object:
    """A thin plot of the score under a sensor's plot, with the flag threshold dashed."""
    strip = figure(
        height=60 if time_axis else 34,
        sizing_mode="stretch_width",
        x_range=x_range,
        y_range=Range1d(-0.02, 1.05),
        x_axis_type="datetime",
        x_axis_location="below" if time_axis else None,
        y_axis_location=None,
        tools="",
        toolbar_location=None,
        min_border_left=BORDER_LEFT,
        min_border_right=8,
        min_border_top=0,
        min_border_bottom=0 if time_axis else 10,
        outline_line_color="#e2e8f0",
    )
    # A line, not an area: areas bridge missing scores, lines leave a gap.
    strip.line("x", f"s{target}", source=rows, color=SCORE_COLOR, line_width=1)
    strip.add_layout(
        Span(
            location=schema.threshold,
            dimension="width",
            line_color=ANOMALY_COLOR,
            line_dash="dashed",
            line_width=1,
        )
    )
    strip.add_layout(
        Label(
            x=2,
            y=0.45,
            x_units="screen",
            text="score",
            text_font_size="7pt",
            text_color=SCORE_COLOR,
            background_fill_color="white",
            background_fill_alpha=0.7,
        )
    )
    strip.center = [c for c in strip.center if not isinstance(c, Grid)]
    if time_axis:
        strip.xaxis.formatter = DatetimeTickFormatter(**TIME_FORMATS)
        strip.xaxis.axis_label = f"replay time ({schema.timezone})"
        strip.xaxis.axis_label_text_font_size = "8pt"
        strip.xaxis.axis_label_standoff = 2
        strip.xaxis.major_label_text_font_size = "8pt"
        strip.xaxis.minor_tick_line_color = None
    return strip


def header_html(schema: Schema, window: int, status: Status) -> str:
    """The header: what is streaming, how fast, how far, and the anomalies found per sensor."""
    state = (
        '<span style="color:#718096">&#9632; stream ended</span>'
        if status.ended
        else '<span style="color:#2f855a">&#9679; live</span>'
    )
    facts = " &middot; ".join(
        [
            f"<b>{html.escape(schema.name)}</b>",
            f"detector <b>{html.escape(schema.detector)}</b>",
            state,
            f"<b>{status.rows:,}</b> rows",
            f"<b>{status.rows_per_second:,.0f}</b> rows/s",
            f"window {window:,} points",
            f"times in {html.escape(schema.timezone)}",
        ]
    )
    labels = ("all sensors",) if schema.multivariate else schema.sensors
    chips = "".join(
        _chip(label, count) for label, count in zip(labels, status.anomalies, strict=True)
    )
    return (
        '<div style="font:14px sans-serif;padding:4px 0 2px 0">'
        f"{facts}</div>"
        '<div style="font:12px sans-serif;padding:2px 0 4px 0">anomalies: '
        f"{chips}</div>"
    )


def _chip(label: str, count: int) -> str:
    style = (
        "background:#fed7d7;color:#9b2c2c;font-weight:bold"
        if count
        else "background:#edf2f7;color:#4a5568"
    )
    return (
        f'<span style="{style};border-radius:8px;padding:1px 7px;margin:0 3px 0 0;'
        f'white-space:nowrap;display:inline-block">{html.escape(label)} {count:,}</span>'
    )
