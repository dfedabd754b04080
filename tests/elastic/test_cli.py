"""The real ``dsio`` command into the test server: the shared cases marked "ES:" and the seed's run.

Each run is ``dsio --es-uri URL --no-bokeh --speed 0 --no-browser <file>`` in a subprocess, as a
user types it; documents are then read back with the official client.
"""

from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dsio_elastic.index import DATA_TIME_FIELD, LINE_FIELD, TIMESTAMP_FIELD

RUN = ("--no-bokeh", "--speed", "0", "--no-browser")
INDEX_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,254}$")
RESERVED = {TIMESTAMP_FIELD, DATA_TIME_FIELD, LINE_FIELD}


@pytest.fixture
def es_run(es_server, es, dsio_cli):
    """``es_run(path, *options)``: the real CLI into the test server; fails on a non-zero exit.

    The indices the runs print are deleted afterwards.
    """
    written: set[str] = set()

    def run(path, *options, check=True):
        result = dsio_cli("--es-uri", es_server.url, *RUN, *options, path)
        if check:
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
            written.add(_printed_index(result.stderr))
        return result

    yield run
    for index in written:
        es.indices.delete(index=index, ignore_unavailable=True)


def _documents(es, index: str) -> dict[int, dict]:
    es.indices.refresh(index=index)
    hits = es.search(index=index, size=10_000)["hits"]["hits"]
    return {hit["_source"][LINE_FIELD]: hit["_source"] for hit in hits}


def _printed_index(stderr: str) -> str:
    match = re.search(r"Elasticsearch: [\d,]+ rows indexed into '([^']+)'", stderr)
    assert match, stderr
    return match.group(1)


def test_the_seed_run_indexes_every_row_once_even_when_run_again(es_run, es, shared):
    data = shared("data", "openxc", "cardata_sample.csv")
    first = es_run(data, "--es-recreate")
    index = _printed_index(first.stderr)
    assert es.count(index=index)["count"] == 1357
    es_run(data)
    es.indices.refresh(index=index)
    assert es.count(index=index)["count"] == 1357


def test_b16_missing_values_are_absent_from_their_documents(es_run, es, shared):
    result = es_run(shared("cases", "B16_missing_values.csv"), "--es-recreate")
    assert "did not index" not in result.stderr and "warning: no Kibana" not in result.stderr
    docs = _documents(es, _printed_index(result.stderr))
    assert sorted(docs) == list(range(2, 22))
    for line, doc in docs.items():
        if line in (5, 9, 13, 17):
            assert not {"flow", "SCORE_flow", "FLAG_flow"} & set(doc), doc
        else:
            assert doc["flow"] > 0
        assert "temp" in doc


def test_b19_the_derived_index_name_is_valid_and_printed(es_run, es, shared):
    result = es_run(shared("cases", "B19_Index_Name.csv"), "--es-recreate")
    index = _printed_index(result.stderr)
    assert INDEX_PATTERN.match(index)
    assert index.startswith("b19")
    assert es.count(index=index)["count"] == 10


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _CountingHandler)
        self.requests = 0


class _CountingHandler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests += 1
        self.send_error(500)

    do_HEAD = do_PUT = do_POST = do_DELETE = do_GET


def test_b19_an_invalid_explicit_index_is_an_error_before_any_connection(dsio_cli, shared, serve):
    server = serve(_CountingServer())
    url = f"http://127.0.0.1:{server.server_address[1]}"
    result = dsio_cli(
        "--es-uri", url, *RUN, "--es-index", "Bad Name#1", shared("cases", "B19_Index_Name.csv")
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("dsio: error:")]
    assert len(errors) == 1 and "'Bad Name#1'" in errors[0]
    assert server.requests == 0


def test_b20_dotted_and_duplicate_names_index_without_mapping_errors(es_run, es, shared):
    result = es_run(shared("cases", "B20_dotted_duplicate_names.csv"), "--es-recreate")
    assert "did not index" not in result.stderr
    index = _printed_index(result.stderr)
    docs = _documents(es, index)
    assert len(docs) == 12
    assert not any("." in field for doc in docs.values() for field in doc)
    properties = es.indices.get_mapping(index=index)[index]["mappings"]["properties"]
    sensors = {f for f in properties if f not in RESERVED and not f.startswith(("SCORE_", "FLAG_"))}
    assert len(sensors) == 5 and not any("." in s for s in sensors)
    assert all(properties[s]["type"] == "double" for s in sensors)


@pytest.fixture
def cli(host):
    """The ``dsio`` command tree in this process (kibana-export needs no server)."""
    from click.testing import CliRunner

    from dsio.cli import build_cli

    group = build_cli(host)
    return lambda *args: CliRunner().invoke(group, [str(a) for a in args])


def test_kibana_export_writes_the_objects_a_run_would_import(cli, shared, tmp_path):
    output = tmp_path / "b16.ndjson"
    result = cli("kibana-export", shared("cases", "B16_missing_values.csv"), "-o", output)
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in output.read_text().splitlines()]
    assert [o["type"] for o in objects] == ["index-pattern", "lens", "lens", "dashboard"]
    assert objects[0]["attributes"]["title"] == "b16_missing_values"
    charted = {
        column["sourceField"]
        for chart in objects[1:3]
        for layer in chart["attributes"]["state"]["datasourceStates"]["indexpattern"][
            "layers"
        ].values()
        for column in layer["columns"].values()
    }
    assert {"flow", "temp", "SCORE_flow", "SCORE_temp"} <= charted
    assert "b16_missing_values" in result.output


def test_kibana_export_rejects_an_invalid_index_name_before_reading(cli, tmp_path):
    from dsio.errors import UsageError

    result = cli("kibana-export", tmp_path / "absent.csv", "--es-index", "A B")
    assert isinstance(result.exception, UsageError) and "'A B'" in str(result.exception)
