"""The Kibana dashboard of a stream: a data view, one chart per sensor, and the dashboard.

The objects are written in the saved-object format of Kibana 7.14 (``migrationVersion``) with
``coreMigrationVersion`` 8.0.0, the format of Kibana's own import fixtures: every Kibana from 8.0
to 9.x accepts it through the saved-objects import API and migrates it to its current form
(Lens ``indexpattern`` layers become ``formBased``, count columns get ``___records___``, ...).
Writing the newest format instead would make every older 8.x Kibana refuse the file.

Each sensor gets a Lens XY chart on the replay clock: the sensor's average (left axis), its
highest anomaly score (right axis) and, as bars on the right axis, the number of flagged rows.
Object ids are derived from the index name, so importing again with ``overwrite`` replaces the
same objects.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dsio_elastic.index import TIMESTAMP_FIELD, FieldPlan

if TYPE_CHECKING:
    from dsio_elastic.connection import Credentials, Endpoint

log = logging.getLogger(__name__)

CORE_MIGRATION_VERSION = "8.0.0"
MIGRATION_VERSIONS = {"index-pattern": "7.11.0", "lens": "7.14.0", "dashboard": "7.14.0"}
PANEL_VERSION = "8.0.0"
GRID_COLUMNS = 48  # Kibana's dashboard grid is 48 columns wide
PANEL_WIDTH = 24
PANEL_HEIGHT = 12
_NAMESPACE = uuid.UUID("5b0f6d0e-8a43-4c53-9d0e-6473696f0001")  # dsio's uuid5 namespace
_VALUES_LAYER = "values"
_FLAGS_LAYER = "flags"


class KibanaError(Exception):
    """Kibana could not be reached or did not import every object (the message says why)."""


@dataclass(frozen=True)
class TimeRange:
    """The time range and refresh a dashboard opens with (Kibana date math or ISO instants).

    The default follows a live replay: the last 15 minutes, refreshed every 5 seconds.
    """

    start: str = "now-15m"
    end: str = "now"
    refresh_seconds: float | None = 5.0


def object_id(*parts: str) -> str:
    """A stable saved-object id: the same index and sensor always give the same id."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def saved_objects(
    index: str, fields: FieldPlan, time_range: TimeRange = TimeRange()
) -> list[dict[str, Any]]:
    """The data view, one Lens chart per sensor and the dashboard, in import order."""
    data_view = _data_view(index)
    charts = [
        _chart(index, data_view["id"], sensor, value, score, flag)
        for sensor, value, score, flag in fields.per_sensor()
    ]
    return [data_view, *charts, _dashboard(index, charts, time_range)]


def to_ndjson(objects: Sequence[dict[str, Any]]) -> str:
    """The objects as Kibana's import file: one JSON object per line."""
    return "".join(json.dumps(obj, sort_keys=True, ensure_ascii=False) + "\n" for obj in objects)


def kibana_base(url: str) -> str:
    """Kibana's base URL from any Kibana page URL, keeping a base path and a space.

    >>> kibana_base("http://localhost:5601/app/kibana")
    'http://localhost:5601'
    >>> kibana_base("https://example.org/kibana/s/ops/app/dashboards")
    'https://example.org/kibana/s/ops'
    """
    base, _, _ = url.partition("/app/")
    return base.rstrip("/")


def dashboard_url(kibana: str, index: str) -> str:
    """Where the dashboard of ``index`` opens."""
    return f"{kibana_base(kibana)}/app/dashboards#/view/{object_id('dashboard', index)}"


def import_objects(
    kibana: Endpoint,
    credentials: Credentials,
    objects: Sequence[dict[str, Any]],
    *,
    timeout: float = 30.0,
) -> int:
    """POST ``objects`` to Kibana's saved-objects import API, replacing existing ones.

    Returns the number of objects imported; raises :class:`KibanaError` with a one-line reason
    if Kibana cannot be reached, answers an error, or refuses any object.
    """
    import urllib3

    url = f"{kibana_base(kibana.url)}/api/saved_objects/_import?overwrite=true"
    http = urllib3.PoolManager(
        cert_reqs="CERT_REQUIRED",
        ca_certs=credentials.ca_certs,
        timeout=urllib3.Timeout(total=timeout),
        retries=urllib3.Retry(
            total=2, backoff_factor=0.5, status_forcelist=(502, 503, 504), allowed_methods={"POST"}
        ),
    )
    try:
        response = http.request(
            "POST",
            url,
            fields={"file": ("dsio.ndjson", to_ndjson(objects).encode(), "application/ndjson")},
            headers={"kbn-xsrf": "dsio", **credentials.headers()},
        )
    except urllib3.exceptions.HTTPError as exc:
        raise KibanaError(f"cannot reach Kibana at {kibana}: {_reason(exc)}") from exc
    finally:
        http.clear()
    try:
        answer = json.loads(response.data or b"{}")
    except ValueError:
        answer = {}
    if response.status != 200:
        message = answer.get("message") if isinstance(answer, dict) else None
        raise KibanaError(
            f"Kibana at {kibana} answered HTTP {response.status}"
            + (f": {message}" if message else "")
        )
    errors = answer.get("errors") or []
    if not answer.get("success", False) or errors:
        failed = ", ".join(
            f"{e.get('type')} {e.get('title') or e.get('id')!r} "
            f"({(e.get('error') or {}).get('type', 'error')})"
            for e in errors[:5]
        )
        raise KibanaError(f"Kibana at {kibana} refused {len(errors)} object(s): {failed}")
    return int(answer.get("successCount", len(objects)))


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason).split(": ", 1)[-1][:200]


def _saved_object(kind: str, object_id_: str, attributes: dict[str, Any], references: list) -> dict:
    return {
        "attributes": attributes,
        "coreMigrationVersion": CORE_MIGRATION_VERSION,
        "id": object_id_,
        "migrationVersion": {kind: MIGRATION_VERSIONS[kind]},
        "references": references,
        "type": kind,
    }


def _data_view(index: str) -> dict[str, Any]:
    return _saved_object(
        "index-pattern",
        object_id("data-view", index),
        {"title": index, "timeFieldName": TIMESTAMP_FIELD},
        [],
    )


def _date_histogram() -> dict[str, Any]:
    return {
        "dataType": "date",
        "isBucketed": True,
        "label": TIMESTAMP_FIELD,
        "operationType": "date_histogram",
        "params": {"interval": "auto"},
        "scale": "interval",
        "sourceField": TIMESTAMP_FIELD,
    }


def _metric(operation: str, field: str, label: str) -> dict[str, Any]:
    return {
        "dataType": "number",
        "isBucketed": False,
        "label": label,
        "operationType": operation,
        "scale": "ratio",
        "sourceField": field,
    }


def kql_field(name: str) -> str:
    r"""A field name escaped for a KQL query.

    >>> kql_field("FLAG_motor temp")
    'FLAG_motor\\ temp'
    """
    return "".join(f"\\{c}" if c in '\\():<>"* ' else c for c in name)


def _chart(
    index: str, data_view_id: str, sensor: str, value: str, score: str, flag: str
) -> dict[str, Any]:
    flagged = {
        "dataType": "number",
        "isBucketed": False,
        "label": "flagged rows",
        "operationType": "count",
        "scale": "ratio",
        "sourceField": "Records",
        "filter": {"language": "kuery", "query": f"{kql_field(flag)} : true"},
    }
    layers = {
        _VALUES_LAYER: {
            "columnOrder": ["time", "value", "score"],
            "columns": {
                "time": _date_histogram(),
                "value": _metric("average", value, sensor),
                "score": _metric("max", score, "anomaly score"),
            },
        },
        _FLAGS_LAYER: {
            "columnOrder": ["time", "flagged"],
            "columns": {"time": _date_histogram(), "flagged": flagged},
        },
    }
    visualization = {
        "legend": {"isVisible": True, "position": "bottom"},
        "valueLabels": "hide",
        "fittingFunction": "None",
        "preferredSeriesType": "line",
        "layers": [
            {
                "layerId": _VALUES_LAYER,
                "seriesType": "line",
                "xAccessor": "time",
                "accessors": ["value", "score"],
                "yConfig": [{"forAccessor": "score", "axisMode": "right", "color": "#E7664C"}],
            },
            {
                "layerId": _FLAGS_LAYER,
                "seriesType": "bar",
                "xAccessor": "time",
                "accessors": ["flagged"],
                "yConfig": [{"forAccessor": "flagged", "axisMode": "right", "color": "#BD271E"}],
            },
        ],
    }
    attributes = {
        "title": f"{sensor}: value, anomaly score, flagged rows",
        "visualizationType": "lnsXY",
        "state": {
            "datasourceStates": {"indexpattern": {"layers": layers}},
            "filters": [],
            "query": {"language": "kuery", "query": ""},
            "visualization": visualization,
        },
    }
    references = [
        {
            "id": data_view_id,
            "name": "indexpattern-datasource-current-indexpattern",
            "type": "index-pattern",
        },
        *(
            {
                "id": data_view_id,
                "name": f"indexpattern-datasource-layer-{layer}",
                "type": "index-pattern",
            }
            for layer in layers
        ),
    ]
    return _saved_object("lens", object_id("chart", index, sensor), attributes, references)


def _dashboard(
    index: str, charts: Sequence[dict[str, Any]], time_range: TimeRange
) -> dict[str, Any]:
    per_row = GRID_COLUMNS // PANEL_WIDTH
    panels, references = [], []
    for position, chart in enumerate(charts):
        panel_index = f"panel-{position}"
        panels.append(
            {
                "version": PANEL_VERSION,
                "type": "lens",
                "gridData": {
                    "x": (position % per_row) * PANEL_WIDTH,
                    "y": (position // per_row) * PANEL_HEIGHT,
                    "w": PANEL_WIDTH,
                    "h": PANEL_HEIGHT,
                    "i": panel_index,
                },
                "panelIndex": panel_index,
                "embeddableConfig": {"enhancements": {}},
                "panelRefName": f"panel_{panel_index}",
            }
        )
        references.append(
            {"id": chart["id"], "name": f"{panel_index}:panel_{panel_index}", "type": "lens"}
        )
    refresh = time_range.refresh_seconds
    attributes = {
        "title": f"dsio: {index}",
        "description": f"Sensor values, anomaly scores and flags streamed by dsio into {index}",
        "panelsJSON": json.dumps(panels),
        "optionsJSON": json.dumps({"useMargins": True, "hidePanelTitles": False}),
        "version": 1,
        "timeRestore": True,
        "timeFrom": time_range.start,
        "timeTo": time_range.end,
        "refreshInterval": {
            "pause": refresh is None,
            "value": int(refresh * 1000) if refresh else 0,
        },
        "kibanaSavedObjectMeta": {
            "searchSourceJSON": json.dumps(
                {"query": {"query": "", "language": "kuery"}, "filter": []}
            )
        },
    }
    return _saved_object("dashboard", object_id("dashboard", index), attributes, references)
