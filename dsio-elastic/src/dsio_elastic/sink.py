"""The Elasticsearch sink: scored rows become documents, a Kibana dashboard shows them live.

Each batch is sent with the client's ``streaming_bulk`` helper in chunks. Rejections by a busy
cluster (HTTP 429) are retried with exponential back-off by the helper; connection errors and
timeouts are retried by the client; both are bounded, so a slow Elasticsearch delays the
replay but never blocks it forever. Documents that still fail are counted with their reason,
reported as a warning per batch, and make the run end with an error that says how many rows were
not indexed. Several consecutive batches that fail entirely stop the run at once.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from dsio.errors import SinkError, UsageError
from dsio.sinks.base import Sink
from dsio_elastic.connection import (
    API_KEY_ENV,
    DEFAULT_ES,
    DEFAULT_KIBANA,
    PASSWORD_ENV,
    USERNAME_ENV,
    Credentials,
    Endpoint,
    client_major,
    describe_error,
    es_client,
    server_major,
)
from dsio_elastic.index import FieldPlan, index_name_for, validate_index_name

if TYPE_CHECKING:
    import click
    from elasticsearch import Elasticsearch

    from dsio.stream import Batch, Schema

log = logging.getLogger(__name__)

#: Rows turned into documents at once: bounds memory when a whole file arrives as one batch.
ROWS_PER_SLICE = 5000


class ElasticSink(Sink):
    """Indexes every scored row into Elasticsearch; optionally sets up a Kibana dashboard.

    Parameters
    ----------
    es : Endpoint
        Elasticsearch's URL (and credentials given in it).
    index : str or None
        Index name; None derives it from the stream's name (the input file's stem).
    kibana : Endpoint or None
        Kibana's URL; None skips the dashboard.
    credentials : Credentials
        API key or user/password, and the CA to trust.
    recreate : bool
        Delete an existing index first; otherwise documents are added to it, replacing those
        with the same id (the same input rows).
    open_browser : bool
        Open the dashboard in a browser once it is imported.
    chunk_size : int
        Documents per bulk request.
    request_timeout, max_retries : float, int
        Per-request timeout (seconds) and retries of connection errors and timeouts.
    bulk_retries, initial_backoff, max_backoff : int, float, float
        Retries of documents rejected with 429, waiting ``initial_backoff`` seconds, then twice
        as long each time, at most ``max_backoff``.
    max_failed_batches : int
        Consecutive batches in which nothing could be indexed before the run is stopped.
    """

    def __init__(
        self,
        es: Endpoint,
        *,
        index: str | None = None,
        kibana: Endpoint | None = None,
        credentials: Credentials | None = None,
        recreate: bool = False,
        open_browser: bool = True,
        chunk_size: int = 500,
        request_timeout: float = 10.0,
        max_retries: int = 2,
        bulk_retries: int = 5,
        initial_backoff: float = 1.0,
        max_backoff: float = 30.0,
        max_failed_batches: int = 3,
    ) -> None:
        self.es = es
        self.requested_index = validate_index_name(index) if index is not None else None
        self.kibana = kibana
        self.credentials = credentials or Credentials()
        self.recreate = recreate
        self.open_browser = open_browser
        self.chunk_size = chunk_size
        self.request_timeout = request_timeout
        self.max_retries = max_retries
        self.bulk_retries = bulk_retries
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.max_failed_batches = max_failed_batches
        self.index: str | None = None
        self.fields: FieldPlan | None = None
        self.dashboard: str | None = None
        self.indexed = 0
        self.failed = 0
        self.seconds = 0.0  # spent building and sending documents
        self.reasons: Counter[str] = Counter()
        self._client: Elasticsearch | None = None
        self._builder: Any = None
        self._failed_batches = 0
        self._speed = 1.0
        self._live_span: tuple[np.datetime64, np.datetime64] | None = None

    # -- command line ------------------------------------------------------------------------

    @classmethod
    def cli_options(cls) -> list[click.Option]:
        import click

        return [
            click.Option(
                ["--es"],
                is_flag=True,
                help=f"Index into Elasticsearch at {DEFAULT_ES} with a Kibana dashboard at "
                f"{DEFAULT_KIBANA}.",
            ),
            click.Option(
                ["--es-uri"],
                metavar="URL",
                help="Elasticsearch URL (implies --es), e.g. https://user:pass@host:9200.",
            ),
            click.Option(
                ["--kibana-uri"],
                metavar="URL",
                help="Kibana URL for the dashboard (default with plain --es: "
                f"{DEFAULT_KIBANA}; none with --es-uri).",
            ),
            click.Option(
                ["--es-index"],
                metavar="NAME",
                help="Index name (default: the input file's name, lowercased).",
            ),
            click.Option(
                ["--es-recreate"],
                is_flag=True,
                help="Delete the index first if it exists (it is kept by default).",
            ),
            click.Option(
                ["--es-api-key"],
                metavar="KEY",
                help=f"Elasticsearch API key (or set {API_KEY_ENV}; user and password: "
                f"in the URL or {USERNAME_ENV}/{PASSWORD_ENV}).",
            ),
            click.Option(
                ["--es-ca-certs"],
                metavar="PATH",
                type=click.Path(exists=True, dir_okay=False),
                help="CA certificate file to verify Elasticsearch's and Kibana's TLS with.",
            ),
            click.Option(
                ["--es-timeout"],
                type=click.FloatRange(min=0.1),
                default=10.0,
                show_default=True,
                metavar="SECONDS",
                help="Timeout of each Elasticsearch request.",
            ),
        ]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ElasticSink | None:
        """Take part if ``--es``, ``--es-uri`` or ``--kibana-uri`` is given.

        Every option is checked here, before anything connects: a bad URI or index name is a
        :class:`UsageError` naming the option.
        """
        uri = options.get("es_uri")
        if not (uri or options.get("es") or options.get("kibana_uri")):
            for name in ("es_index", "es_recreate", "es_api_key", "es_ca_certs"):
                if options.get(name):
                    flag = "--" + name.replace("_", "-")
                    raise UsageError(f"{flag} needs --es or --es-uri")
            return None
        es = Endpoint.parse(uri or DEFAULT_ES, "--es-uri")
        kibana_uri = options.get("kibana_uri") or (None if uri else DEFAULT_KIBANA)
        kibana = Endpoint.parse(kibana_uri, "--kibana-uri") if kibana_uri else None
        ca_certs = options.get("es_ca_certs")
        if ca_certs and not os.path.isfile(ca_certs):
            raise UsageError(f"--es-ca-certs: no such file: {ca_certs}")
        index = options.get("es_index")
        return cls(
            es,
            index=validate_index_name(index) if index is not None else None,
            kibana=kibana,
            credentials=Credentials.resolve(es, options.get("es_api_key"), ca_certs),
            recreate=bool(options.get("es_recreate")),
            open_browser=not options.get("no_browser"),
            request_timeout=float(options.get("es_timeout") or 10.0),
        )

    # -- the stream --------------------------------------------------------------------------

    def open(self, schema: Schema) -> None:
        from dsio_elastic.documents import DocumentBuilder, id_prefix

        self._speed = schema.speed
        self.index = self.requested_index or index_name_for(schema.name)
        self.fields = FieldPlan.for_schema(schema)
        self._client = self._connect()
        try:
            self._prepare_index()
        except BaseException:  # the engine only closes sinks that opened
            self._client.close()
            self._client = None
            raise
        self._builder = DocumentBuilder(self.fields, id_prefix(schema.source))
        log.info("indexing into Elasticsearch index %r at %s", self.index, self.es)
        if self.kibana is not None:
            self._publish_dashboard()

    def write(self, batch: Batch) -> None:
        if len(batch) == 0:
            return
        started = time.perf_counter()
        self._note_live_span(batch.live_time)
        frame = batch.frame
        try:
            for start in range(0, len(frame), ROWS_PER_SLICE):
                rows = slice(start, start + ROWS_PER_SLICE)
                actions = self._builder.actions(frame.iloc[rows], batch.live_time[rows])
                self._send(actions)
        finally:
            self.seconds += time.perf_counter() - started

    def close(self) -> None:
        if self._client is None:
            return
        try:
            self._client.indices.refresh(index=self.index)
        except Exception as exc:  # the documents are sent; only their visibility is delayed
            log.warning("could not refresh index %r: %s", self.index, describe_error(exc))
        if self.kibana is not None and self._speed == 0 and self._live_span is not None:
            self._publish_dashboard(final=True)
        self._client.close()
        self._client = None
        if self.failed:
            raise SinkError(
                f"{self.failed:,} of {self.indexed + self.failed:,} rows were not indexed into "
                f"Elasticsearch index {self.index!r}: {self._reasons_text()}"
            )

    def summary(self) -> str | None:
        if self.index is None:
            return None
        line = (
            f"Elasticsearch: {self.indexed:,} rows indexed into {self.index!r} at {self.es} "
            f"in {self.seconds:.1f} s"
        )
        if self.failed:
            line += f", {self.failed:,} failed"
        if self.dashboard:
            line += f"; Kibana dashboard: {self.dashboard}"
        return line

    # -- internals ---------------------------------------------------------------------------

    def _connect(self) -> Elasticsearch:
        probe = es_client(
            self.es,
            self.credentials,
            request_timeout=self.request_timeout,
            max_retries=self.max_retries,
        )
        major = server_major(probe, self.es, self.credentials, self.max_retries)
        if major >= client_major():
            return probe
        probe.close()
        log.debug("Elasticsearch %d.x: speaking REST API version %d", major, major)
        return es_client(
            self.es,
            self.credentials,
            request_timeout=self.request_timeout,
            max_retries=self.max_retries,
            compatible_with=major,
        )

    def _prepare_index(self) -> None:
        """Create the index with its mapping, or add dsio's fields to the existing one."""
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        from dsio_elastic.index import mapping, settings

        assert self._client is not None and self.fields is not None
        indices = self._client.indices
        body = mapping(self.fields)
        try:
            if self.recreate and indices.exists(index=self.index):
                log.info("deleting existing index %r (--es-recreate)", self.index)
                indices.delete(index=self.index)
            if not indices.exists(index=self.index):
                try:
                    indices.create(index=self.index, mappings=body, settings=settings(self.fields))
                    return
                except ApiError as exc:  # created meanwhile by another run: use it as it is
                    if exc.error != "resource_already_exists_exception":
                        raise
            try:
                indices.put_mapping(index=self.index, properties=body["properties"])
            except ApiError as exc:
                if exc.status_code != 400:
                    raise
                raise SinkError(
                    f"Elasticsearch index {self.index!r} cannot take dsio's fields: "
                    f"{describe_error(exc)}; use --es-recreate to replace it or --es-index to "
                    "choose another index"
                ) from exc
        except (ApiError, TransportError) as exc:
            raise SinkError(
                f"Elasticsearch at {self.es} failed to prepare index {self.index!r}: "
                f"{describe_error(exc)}"
            ) from exc

    def _send(self, actions: list[dict[str, Any]]) -> None:
        from elastic_transport import TransportError
        from elasticsearch.helpers import streaming_bulk

        indexed = failed = 0
        first_failure: str | None = None
        try:
            for ok, item in streaming_bulk(
                self._client,
                actions,
                index=self.index,
                chunk_size=self.chunk_size,
                max_retries=self.bulk_retries,
                initial_backoff=self.initial_backoff,
                max_backoff=self.max_backoff,
                raise_on_error=False,
                raise_on_exception=False,
            ):
                if ok:
                    indexed += 1
                    continue
                failed += 1
                reason = _item_reason(item)
                self.reasons[reason] += 1
                first_failure = first_failure or f"{_item_line(item)}: {reason}"
        except TransportError as exc:
            lost = len(actions) - indexed - failed
            reason = describe_error(exc)
            self.reasons[reason] += lost
            failed += lost
            first_failure = first_failure or reason
        self.indexed += indexed
        self.failed += failed
        if not failed:
            self._failed_batches = 0
            return
        log.warning(
            "Elasticsearch did not index %d of %d rows (first: %s)",
            failed,
            len(actions),
            first_failure,
        )
        self._failed_batches = self._failed_batches + 1 if indexed == 0 else 0
        if self._failed_batches >= self.max_failed_batches:
            self._client.close()
            self._client = None  # close() must not wait on it again
            raise SinkError(
                f"Elasticsearch at {self.es} indexed nothing in {self._failed_batches} "
                f"consecutive batches; stopping. {self.failed:,} rows were not indexed into "
                f"{self.index!r}: {self._reasons_text()}"
            )

    def _reasons_text(self) -> str:
        return "; ".join(f"{reason} ({count:,})" for reason, count in self.reasons.most_common(3))

    def _note_live_span(self, live_time: np.ndarray) -> None:
        first, last = live_time[0], live_time[-1]
        if self._live_span is None:
            self._live_span = (first, last)
        else:
            self._live_span = (min(self._live_span[0], first), max(self._live_span[1], last))

    def _publish_dashboard(self, final: bool = False) -> None:
        """Import the dashboard; a Kibana problem is a warning, the indexing goes on.

        At ``--speed 0`` the rows' replay times spread ahead of the wall clock, so once the
        stream has ended the dashboard is imported again with the exact span of the data.
        """
        from dsio_elastic.kibana import (
            KibanaError,
            TimeRange,
            dashboard_url,
            import_objects,
            saved_objects,
        )

        assert self.kibana is not None and self.fields is not None and self.index is not None
        time_range = TimeRange()
        if final and self._live_span is not None:
            start, end = (str(np.datetime_as_string(t, unit="ms")) + "Z" for t in self._live_span)
            time_range = TimeRange(start, end, None)
        try:
            import_objects(
                self.kibana,
                self.credentials.for_endpoint(self.kibana),
                saved_objects(self.index, self.fields, time_range),
                timeout=max(self.request_timeout, 30.0),
            )
        except KibanaError as exc:
            log.warning("no Kibana dashboard: %s", exc)
            return
        if final:
            return
        self.dashboard = dashboard_url(self.kibana.url, self.index)
        log.info("Kibana dashboard: %s", self.dashboard)
        if self.open_browser:
            import webbrowser

            webbrowser.open(self.dashboard)


def _item_reason(item: Mapping[str, Any]) -> str:
    """The reason a document failed, without what differs between documents (ids, values)."""
    info = next(iter(item.values()), {}) if item else {}
    error = info.get("error")
    status = info.get("status")
    if isinstance(error, Mapping):
        text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
    else:
        text = str(error or "rejected")
    text = re.sub(r" in document with id '[^']*'|\. Preview of field's value: .*", "", text)[:200]
    return f"HTTP {status} {text}" if status else text


def _item_line(item: Mapping[str, Any]) -> str:
    info = next(iter(item.values()), {}) if item else {}
    doc_id = str(info.get("_id", ""))
    line = doc_id.rpartition("-")[2]
    return f"line {line}" if line.isdigit() else f"document {doc_id!r}"
