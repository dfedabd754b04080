"""Where Elasticsearch and Kibana are and how to log in, without ever showing a secret.

Credentials come from, in order: ``--es-api-key`` (or ``DSIO_ES_API_KEY``), the user part of the
URI (``https://user:password@host:9200``), then ``DSIO_ES_USERNAME``/``DSIO_ES_PASSWORD``. URIs are
kept without their user part, so that logs, messages and summaries can show them as they are.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from dsio.errors import SinkError, UsageError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

API_KEY_ENV = "DSIO_ES_API_KEY"
USERNAME_ENV = "DSIO_ES_USERNAME"
PASSWORD_ENV = "DSIO_ES_PASSWORD"
DEFAULT_ES = "http://localhost:9200"
DEFAULT_KIBANA = "http://localhost:5601"


@dataclass(frozen=True)
class Endpoint:
    """An http(s) URL without credentials, plus the credentials it carried.

    ``str(endpoint)`` and ``repr(endpoint)`` never contain the password.
    """

    url: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, uri: str, option: str) -> Endpoint:
        """Split ``uri`` into a clean URL and credentials; a malformed URI names ``option``."""
        parts = urlsplit(uri.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"{option} {_redact(uri)!r} is not an http:// or https:// URL")
        try:
            port = parts.port
        except ValueError:
            raise UsageError(f"{option} {_redact(uri)!r} has an invalid port") from None
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        netloc = f"{host}:{port}" if port else host
        url = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), parts.query, ""))
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        return cls(url, username, password)

    def __str__(self) -> str:
        return self.url


@dataclass(frozen=True)
class Credentials:
    """How to authenticate and which CA to trust; TLS certificates are always verified."""

    api_key: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_certs: str | None = None

    @classmethod
    def resolve(cls, endpoint: Endpoint, api_key: str | None, ca_certs: str | None) -> Credentials:
        """Pick the credentials for ``endpoint`` from the options, its URI and the environment."""
        api_key = api_key or os.environ.get(API_KEY_ENV) or None
        username, password = endpoint.username, endpoint.password
        if not username:
            username = os.environ.get(USERNAME_ENV) or None
            password = os.environ.get(PASSWORD_ENV) or None
        return cls(api_key, username, password, ca_certs)

    def for_endpoint(self, endpoint: Endpoint) -> Credentials:
        """These credentials, with the user and password of ``endpoint``'s URI if it has one."""
        if endpoint.username:
            return Credentials(None, endpoint.username, endpoint.password, self.ca_certs)
        return self

    def headers(self) -> dict[str, str]:
        """HTTP ``Authorization`` header for plain HTTP clients (Kibana)."""
        if self.api_key:
            return {"Authorization": f"ApiKey {self.api_key}"}
        if self.username:
            import base64

            token = base64.b64encode(f"{self.username}:{self.password or ''}".encode()).decode()
            return {"Authorization": f"Basic {token}"}
        return {}


def es_client(
    endpoint: Endpoint,
    credentials: Credentials,
    *,
    request_timeout: float,
    max_retries: int,
    compatible_with: int | None = None,
) -> Elasticsearch:
    """The official client for ``endpoint``.

    The client retries connection errors, timeouts and 502-504 itself (``max_retries``); 429 is
    left to the bulk helper, which backs off before retrying. ``compatible_with`` makes a newer
    client speak an older server's REST version (see :func:`server_major`).
    """
    from elasticsearch import Elasticsearch

    kwargs: dict[str, Any] = {
        "request_timeout": request_timeout,
        "max_retries": max_retries,
        "retry_on_timeout": True,
        "retry_on_status": (502, 503, 504),
    }
    if credentials.api_key:
        kwargs["api_key"] = credentials.api_key
    elif credentials.username:
        kwargs["basic_auth"] = (credentials.username, credentials.password or "")
    if credentials.ca_certs:
        kwargs["ca_certs"] = credentials.ca_certs
    if compatible_with is not None and compatible_with < client_major():
        kwargs["node_class"] = _compatible_node_class(compatible_with)
    return Elasticsearch(endpoint.url, **kwargs)


def client_major() -> int:
    from elasticsearch import __versionstr__

    return int(__versionstr__.partition(".")[0])


def server_major(
    client: Elasticsearch, endpoint: Endpoint, credentials: Credentials, max_retries: int = 0
) -> int:
    """The server's major version, asked with plain JSON headers that every version accepts.

    A 9.x client announces ``compatible-with=9``, which Elasticsearch 8 refuses with
    ``media_type_header_exception``; asking first lets dsio speak version 8 to an 8.x server.
    Raises :class:`SinkError` if the server cannot be reached or refuses the credentials.
    """
    from elastic_transport import TransportError

    try:
        response = client.transport.perform_request(
            "GET",
            "/",
            headers={"accept": "application/json", **credentials.headers()},
            max_retries=max_retries,
        )
    except TransportError as exc:
        raise SinkError(f"cannot reach Elasticsearch at {endpoint}: {describe_error(exc)}") from exc
    status = response.meta.status
    if status in (401, 403):
        raise SinkError(
            f"Elasticsearch at {endpoint} refused the credentials (HTTP {status}); "
            f"give --es-api-key, user:password in --es-uri, or {USERNAME_ENV}/{PASSWORD_ENV}"
        )
    body = response.body if isinstance(response.body, Mapping) else {}
    number = str(body.get("version", {}).get("number", ""))
    if status != 200 or not number[:1].isdigit():
        raise SinkError(f"{endpoint} does not answer like Elasticsearch (HTTP {status})")
    return int(number.partition(".")[0])


def _compatible_node_class(major: int) -> type:
    """A urllib3 node that rewrites ``compatible-with=N`` into the server's major version."""
    from elastic_transport import Urllib3HttpNode

    pattern = re.compile(r"compatible-with=\d+")
    replacement = f"compatible-with={major}"

    class CompatibleNode(Urllib3HttpNode):
        def perform_request(self, method, target, body=None, headers=None, **kwargs):  # type: ignore[no-untyped-def]
            if headers is not None:
                headers = headers.copy()
                for name in ("accept", "content-type"):
                    if name in headers:
                        headers[name] = pattern.sub(replacement, headers[name])
            return super().perform_request(method, target, body=body, headers=headers, **kwargs)

    return CompatibleNode


def describe_error(exc: BaseException) -> str:
    """A one-line reason for a transport or API error, without URLs' credentials or objects."""
    from elasticsearch import ApiError

    if isinstance(exc, ApiError):
        return f"HTTP {exc.status_code} {exc.error}: {_api_reason(exc)}"
    text = " | ".join(_causes(exc))
    tls = re.search(r"certificate verify failed[^()|]*", text)
    if tls:
        return f"TLS {tls.group(0).strip()} (give its CA certificate with --es-ca-certs)"
    errno = re.search(r"\[Errno -?\d+\][^)>\[\]|]*", text)
    if errno:
        return errno.group(0).strip().rstrip("'\"")
    if "timed out" in text.lower() or type(exc).__name__ == "ConnectionTimeout":
        return "the request timed out"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _causes(exc: BaseException, depth: int = 6) -> list[str]:
    """The messages of an error and of what caused it (transport errors wrap urllib3's)."""
    texts, seen = [], set()
    pending = [exc]
    while pending and len(texts) < depth:
        error = pending.pop(0)
        if id(error) in seen:
            continue
        seen.add(id(error))
        texts.append(str(error))
        pending += [e for e in getattr(error, "errors", ()) if isinstance(e, BaseException)]
        pending += [e for e in (error.__cause__, error.__context__) if e is not None]
    return texts


def _api_reason(exc: Any) -> str:
    info = exc.info if isinstance(exc.info, Mapping) else {}
    error = info.get("error", {})
    if isinstance(error, Mapping):
        caused = error.get("caused_by", {})
        reason = error.get("reason", "")
        if isinstance(caused, Mapping) and caused.get("reason"):
            return f"{reason} ({caused['reason']})"
        return str(reason)
    return str(error or exc.message)


def _redact(uri: str) -> str:
    return re.sub(r"//[^/@]*@", "//***@", uri)
