"""Credentials and TLS: what is sent, what is verified, and that no secret is ever shown."""

from __future__ import annotations

import base64
import shutil
import ssl
import subprocess
import threading

import pytest

from dsio.errors import SinkError, UsageError
from dsio_elastic.connection import Endpoint
from dsio_elastic.sink import ElasticSink

SECRET = "s3cr3t-pa55"


def _run(sink: ElasticSink, make_schema, make_batch) -> None:
    schema = make_schema(("flow",))
    sink.open(schema)
    sink.write(make_batch(schema, {"flow": [1.0, 2.0]}))
    sink.close()


def test_user_and_password_from_the_uri_are_sent_and_never_shown(
    proxy, index_name, make_schema, make_batch, caplog
):
    uri = proxy.url.replace("http://", f"http://elastic:{SECRET}@")
    options = {"es_uri": uri, "es_index": index_name, "no_browser": True, "input": "x.csv"}
    sink = ElasticSink.from_options(options)
    _run(sink, make_schema, make_batch)
    expected = "Basic " + base64.b64encode(f"elastic:{SECRET}".encode()).decode()
    assert {h.get("authorization") for h in proxy.headers_seen} == {expected}
    shown = caplog.text + sink.summary() + repr(sink.es) + repr(sink.credentials) + str(sink.es)
    assert SECRET not in shown and proxy.url in sink.summary()


def test_an_api_key_from_the_environment_is_sent_as_apikey(
    proxy, index_name, make_schema, make_batch, monkeypatch, caplog
):
    monkeypatch.setenv("DSIO_ES_API_KEY", SECRET)
    options = {"es_uri": proxy.url, "es_index": index_name, "no_browser": True, "input": "x.csv"}
    sink = ElasticSink.from_options(options)
    _run(sink, make_schema, make_batch)
    assert {h.get("authorization") for h in proxy.headers_seen} == {f"ApiKey {SECRET}"}
    assert SECRET not in caplog.text + sink.summary() + repr(sink.credentials)


def test_user_and_password_from_the_environment(
    proxy, index_name, make_schema, make_batch, monkeypatch
):
    monkeypatch.setenv("DSIO_ES_USERNAME", "writer")
    monkeypatch.setenv("DSIO_ES_PASSWORD", SECRET)
    options = {"es_uri": proxy.url, "es_index": index_name, "no_browser": True, "input": "x.csv"}
    _run(ElasticSink.from_options(options), make_schema, make_batch)
    expected = "Basic " + base64.b64encode(f"writer:{SECRET}".encode()).decode()
    assert {h.get("authorization") for h in proxy.headers_seen} == {expected}


def test_a_malformed_uri_is_a_usage_error_naming_the_option_without_the_password():
    with pytest.raises(UsageError, match=r"^--es-uri 'ftp://\*\*\*@host' is not an http") as caught:
        ElasticSink.from_options({"es_uri": f"ftp://u:{SECRET}@host", "input": "x.csv"})
    assert SECRET not in str(caught.value)


def test_es_only_options_without_elasticsearch_are_an_error():
    with pytest.raises(UsageError, match=r"--es-index needs --es or --es-uri"):
        ElasticSink.from_options({"es_index": "cars", "input": "x.csv"})


def test_a_kibana_uri_alone_means_elasticsearch_on_localhost():
    sink = ElasticSink.from_options({"kibana_uri": "http://kibana:5601", "input": "x.csv"})
    assert sink.es.url == "http://localhost:9200" and sink.kibana.url == "http://kibana:5601"


@pytest.fixture
def tls_proxy(proxy, tmp_path):
    """The proxy behind TLS with a fresh self-signed certificate for 127.0.0.1."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed (needed to make a test certificate)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(command, check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    proxy.shutdown()  # restart it serving TLS
    proxy.socket = context.wrap_socket(proxy.socket, server_side=True)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    return proxy.url.replace("http://", "https://"), cert


def test_tls_certificates_are_verified_by_default(tls_proxy, index_name, make_schema):
    url, _cert = tls_proxy
    sink = ElasticSink.from_options({"es_uri": url, "es_index": index_name, "input": "x.csv"})
    sink.max_retries = 0
    with pytest.raises(
        SinkError,
        match=r"cannot reach Elasticsearch at https://.*certificate verify failed.*--es-ca-certs",
    ):
        sink.open(make_schema(("flow",)))


def test_a_ca_file_makes_a_private_certificate_trusted(
    tls_proxy, es, index_name, make_schema, make_batch
):
    url, cert = tls_proxy
    options = {"es_uri": url, "es_index": index_name, "es_ca_certs": str(cert), "input": "x.csv"}
    sink = ElasticSink.from_options({**options, "no_browser": True})
    _run(sink, make_schema, make_batch)
    assert es.count(index=index_name)["count"] == 2


def test_endpoint_keeps_base_path_and_drops_credentials():
    endpoint = Endpoint.parse(f"https://u:{SECRET}@example.org:9243/es/", "--es-uri")
    assert endpoint.url == "https://example.org:9243/es"
    assert (endpoint.username, endpoint.password) == ("u", SECRET)
    assert SECRET not in repr(endpoint)
