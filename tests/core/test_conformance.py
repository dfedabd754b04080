"""One conformance suite over every detector of every installed plugin."""

from __future__ import annotations

import pytest

from dsio.plugins import PluginHost
from dsio.testing import check_detector


def _registered():
    host = PluginHost()
    host.load_installed()
    return [pytest.param(entry, id=entry.qualified_name) for entry in host.detectors]


@pytest.mark.parametrize("entry", _registered())
def test_detector_meets_the_contract(entry):
    check_detector(entry.factory)
