"""The Kibana objects: consistent, importable, matching the index, and sent the way Kibana wants.

No Kibana runs here. The objects are checked for what Kibana's import needs (references that
resolve, JSON strings that parse, a grid that fits, fields that exist in the index with a usable
type), compared with a golden file, and the import request is recorded by a small HTTP server.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import os
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from dsio_elastic.connection import Credentials, Endpoint
from dsio_elastic.index import FieldPlan
from dsio_elastic.kibana import (
    GRID_COLUMNS,
    KibanaError,
    TimeRange,
    dashboard_url,
    import_objects,
    saved_objects,
    to_ndjson,
)
from dsio_elastic.sink import ElasticSink

GOLDEN = Path(__file__).parent / "golden"
#: cardata_sample.csv's sensors: its header less the row number and the time.
CARDATA = Path(__file__).resolve().parents[2] / "examples" / "data" / "cardata_sample.csv"
CARDATA_SENSORS = tuple(
    name.strip('"') for name in CARDATA.read_text().splitlines()[0].split(",")[2:]
)
JSON_STRING_ATTRIBUTES = ("panelsJSON", "optionsJSON", "visState", "uiStateJSON")


def _objects(make_schema, sensors=("speed", "rpm", "motor_temp"), **kwargs):
    schema = make_schema(sensors, **kwargs)
    return saved_objects("cars", FieldPlan.for_schema(schema))


def _by_type(objects, kind):
    return [o for o in objects if o["type"] == kind]


def _lens_columns(chart):
    for layer_id, layer in chart["attributes"]["state"]["datasourceStates"]["indexpattern"][
        "layers"
    ].items():
        for column_id, column in layer["columns"].items():
            yield layer_id, column_id, column


@pytest.mark.parametrize("multivariate", [False, True])
def test_every_reference_resolves_to_an_object_of_its_type(make_schema, multivariate):
    objects = _objects(make_schema, multivariate=multivariate)
    known = {(o["type"], o["id"]) for o in objects}
    assert len(known) == len(objects), "ids are unique"
    for obj in objects:
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in known, (obj["id"], ref)
    (dashboard,) = _by_type(objects, "dashboard")
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    names = {ref["name"] for ref in dashboard["references"]}
    assert {f"{p['panelIndex']}:{p['panelRefName']}" for p in panels} == names
    assert len(panels) == len(_by_type(objects, "lens")) == 3


def test_every_lens_layer_and_accessor_is_defined_and_referenced(make_schema):
    for chart in _by_type(_objects(make_schema), "lens"):
        state = chart["attributes"]["state"]
        layers = state["datasourceStates"]["indexpattern"]["layers"]
        refs = {ref["name"] for ref in chart["references"]}
        assert "indexpattern-datasource-current-indexpattern" in refs
        for layer in state["visualization"]["layers"]:
            columns = layers[layer["layerId"]]["columns"]
            assert f"indexpattern-datasource-layer-{layer['layerId']}" in refs
            assert {layer["xAccessor"], *layer["accessors"]} <= set(columns)
            assert set(layers[layer["layerId"]]["columnOrder"]) == set(columns)
            for config in layer.get("yConfig", []):
                assert config["forAccessor"] in layer["accessors"]


def test_every_embedded_json_string_parses(make_schema):
    for obj in _objects(make_schema):
        attributes = obj["attributes"]
        strings = [attributes[k] for k in JSON_STRING_ATTRIBUTES if k in attributes]
        meta = attributes.get("kibanaSavedObjectMeta", {})
        strings += [meta["searchSourceJSON"]] if "searchSourceJSON" in meta else []
        for text in strings:
            assert isinstance(json.loads(text), (dict, list))


@pytest.mark.parametrize("count", [1, 2, 5, 12])
def test_the_panels_fit_the_grid_without_overlapping(make_schema, count):
    sensors = tuple(f"s{i}" for i in range(count))
    (dashboard,) = _by_type(_objects(make_schema, sensors), "dashboard")
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    cells = set()
    for panel in panels:
        grid = panel["gridData"]
        assert grid["i"] == panel["panelIndex"]
        assert grid["x"] >= 0 and grid["y"] >= 0 and grid["x"] + grid["w"] <= GRID_COLUMNS
        area = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & area, f"panel {panel['panelIndex']} overlaps another"
        cells |= area
    assert len({p["panelIndex"] for p in panels}) == count


def test_the_dashboard_is_live_and_a_final_range_can_be_fixed(make_schema):
    (live,) = _by_type(_objects(make_schema), "dashboard")
    attributes = live["attributes"]
    assert attributes["timeRestore"] is True
    assert (attributes["timeFrom"], attributes["timeTo"]) == ("now-15m", "now")
    assert attributes["refreshInterval"] == {"pause": False, "value": 5000}
    schema = make_schema(("speed",))
    fixed = saved_objects(
        "cars",
        FieldPlan.for_schema(schema),
        TimeRange("2025-01-01T00:00:00.000Z", "2025-01-01T00:22:36.000Z", None),
    )
    (dashboard,) = _by_type(fixed, "dashboard")
    assert dashboard["attributes"]["timeFrom"] == "2025-01-01T00:00:00.000Z"
    assert dashboard["attributes"]["refreshInterval"]["pause"] is True


def test_every_field_a_chart_uses_exists_in_the_index_with_a_usable_type(
    es_server, es, index_name, make_schema, make_batch
):
    schema = make_schema(("speed", "motor.temp"))
    sink = ElasticSink(
        Endpoint.parse(es_server.url, "--es-uri"), index=index_name, open_browser=False
    )
    sink.open(schema)
    sink.write(make_batch(schema, {"speed": [1.0, 2.0], "motor.temp": [3.0, 4.0]}))
    sink.close()
    caps = es.field_caps(index=index_name, fields="*")["fields"]

    def kind(field: str) -> tuple[str, dict]:
        assert field in caps, f"{field} is not in the index"
        ((name, info),) = caps[field].items()
        return name, info

    objects = saved_objects(index_name, sink.fields)
    (data_view,) = _by_type(objects, "index-pattern")
    assert data_view["attributes"]["title"] == index_name
    assert kind(data_view["attributes"]["timeFieldName"])[0] == "date"
    for chart in _by_type(objects, "lens"):
        for _, _, column in _lens_columns(chart):
            operation = column["operationType"]
            if operation == "date_histogram":
                assert kind(column["sourceField"])[0] == "date"
            elif operation in ("average", "max"):
                name, info = kind(column["sourceField"])
                assert name in ("double", "float", "long") and info["aggregatable"]
            if "filter" in column:
                field = re.match(r"(\S+) : true$", column["filter"]["query"]).group(1)
                assert kind(field.replace("\\", ""))[0] == "boolean"


def test_the_objects_match_the_golden_file(make_schema):
    schema = make_schema(CARDATA_SENSORS, name="cardata_sample")
    text = to_ndjson(saved_objects("cardata_sample", FieldPlan.for_schema(schema)))
    golden = GOLDEN / "cardata_sample.ndjson"
    if os.environ.get("DSIO_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), (
        "Kibana objects changed; if intended, rerun with DSIO_UPDATE_GOLDEN=1 and review the diff"
    )


# -- the import request ------------------------------------------------------------------------


class RecordingKibana(ThreadingHTTPServer):
    """Records each request and answers like Kibana's import API (or with ``status``)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _KibanaHandler)
        self.requests: list[dict] = []
        self.status = 200
        self.answer: dict | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _KibanaHandler(BaseHTTPRequestHandler):
    server: RecordingKibana

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
        )
        count = len(_uploaded_objects(self.server.requests[-1]))
        answer = self.server.answer or {"success": True, "successCount": count}
        data = json.dumps(answer).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _uploaded_objects(request: dict) -> list[dict]:
    """The objects in the multipart ``file`` field of a recorded request."""
    head = f"Content-Type: {request['headers'].get('content-type', '')}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request["body"])
    parts = [
        p
        for p in message.iter_parts()
        if p.get_param("name", header="content-disposition") == "file"
    ]
    if len(parts) != 1:
        return []
    return [json.loads(line) for line in parts[0].get_content().splitlines() if line]


@pytest.fixture
def kibana(serve) -> RecordingKibana:
    return serve(RecordingKibana())


def test_the_import_is_a_multipart_post_with_xsrf_header_and_overwrite(kibana, make_schema):
    objects = _objects(make_schema)
    endpoint = Endpoint.parse(f"{kibana.url}/app/kibana", "--kibana-uri")
    imported = import_objects(endpoint, Credentials(username="elastic", password="pw"), objects)

    assert imported == len(objects)
    (request,) = kibana.requests
    url = urlsplit(request["path"])
    assert url.path == "/api/saved_objects/_import"
    assert parse_qs(url.query) == {"overwrite": ["true"]}
    assert request["headers"]["kbn-xsrf"]
    assert request["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert request["headers"]["authorization"].startswith("Basic ")
    assert _uploaded_objects(request) == objects


def test_objects_kibana_refuses_are_an_error_naming_them(kibana, make_schema):
    kibana.answer = {
        "success": False,
        "successCount": 1,
        "errors": [{"id": "x", "type": "lens", "title": "speed", "error": {"type": "unknown"}}],
    }
    endpoint = Endpoint.parse(kibana.url, "--kibana-uri")
    with pytest.raises(KibanaError, match=r"refused 1 object\(s\): lens 'speed' \(unknown\)"):
        import_objects(endpoint, Credentials(), _objects(make_schema))


def test_the_sink_imports_the_dashboard_and_reports_its_url(
    es_server, kibana, index_name, make_schema, make_batch
):
    schema = make_schema(("speed",), speed=0.0)
    sink = ElasticSink(
        Endpoint.parse(es_server.url, "--es-uri"),
        index=index_name,
        kibana=Endpoint.parse(f"{kibana.url}/app/kibana", "--kibana-uri"),
        open_browser=False,
    )
    sink.open(schema)
    assert len(kibana.requests) == 1
    sink.write(make_batch(schema, {"speed": [1.0, 2.0, 3.0]}))
    sink.close()

    url = dashboard_url(kibana.url, index_name)
    assert url in sink.summary() and url.startswith(f"{kibana.url}/app/dashboards#/view/")
    first, final = (_uploaded_objects(r) for r in kibana.requests)
    assert {o["type"] for o in first} == {"index-pattern", "lens", "dashboard"}
    (dashboard,) = _by_type(final, "dashboard")  # --speed 0: re-imported with the data's span
    assert dashboard["attributes"]["timeFrom"] == "2025-01-01T00:00:00.000Z"
    assert dashboard["attributes"]["timeTo"] == "2025-01-01T00:00:02.000Z"


def test_a_failing_kibana_is_a_warning_and_indexing_goes_on(
    es_server, es, kibana, index_name, make_schema, make_batch, caplog
):
    kibana.status = 500
    kibana.answer = {"statusCode": 500, "message": "Internal Server Error"}
    schema = make_schema(("speed",))
    sink = ElasticSink(
        Endpoint.parse(es_server.url, "--es-uri"),
        index=index_name,
        kibana=Endpoint.parse(kibana.url, "--kibana-uri"),
        open_browser=False,
    )
    sink.open(schema)
    sink.write(make_batch(schema, {"speed": [1.0]}))
    sink.close()
    assert "no Kibana dashboard: Kibana at" in caplog.text and "HTTP 500" in caplog.text
    assert es.count(index=index_name)["count"] == 1
    assert "Kibana" not in sink.summary()
