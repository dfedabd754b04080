"""examples/docker-compose.yaml: one pinned release, local-only ports, health-gated start.

Docker cannot run here; these checks read the file for the promises the README makes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

COMPOSE = Path(__file__).resolve().parents[2] / "examples" / "docker-compose.yaml"


@pytest.fixture(scope="module")
def services() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_elasticsearch_and_kibana_run_one_pinned_release(services):
    versions = set()
    for name in ("elasticsearch", "kibana"):
        image = services[name]["image"]
        match = re.fullmatch(
            rf"docker\.elastic\.co/{name}/{name}:\$\{{STACK_VERSION:-(.+)\}}", image
        )
        assert match, image
        versions.add(match.group(1))
    (version,) = versions
    assert re.fullmatch(r"(8|9)\.\d+\.\d+", version)


def test_ports_are_bound_to_localhost_only(services):
    ports = [port for service in services.values() for port in service["ports"]]
    assert sorted(ports) == ["127.0.0.1:5601:5601", "127.0.0.1:9200:9200"]


def test_single_node_without_security_and_kibana_waits_for_a_healthy_elasticsearch(services):
    environment = services["elasticsearch"]["environment"]
    assert environment["discovery.type"] == "single-node"
    assert environment["xpack.security.enabled"] == "false"
    assert services["kibana"]["depends_on"] == {"elasticsearch": {"condition": "service_healthy"}}
    for service in services.values():
        assert service["healthcheck"]["test"][0] == "CMD-SHELL"
