"""What dsio-detectors-river contributes to dsio: every detector of ``river.anomaly``.

Registered under river's class names plus short aliases (``hst``, ``onesvm``, ``lof``, ...);
the entry point is called ``river``, so ``river:onesvm`` picks these over a same-named detector
from another plugin. river itself is imported only when a detector is built.
"""

from __future__ import annotations

from dsio import hookimpl


@hookimpl
def dsio_register_detectors(register):
    from dsio_river.adapters import FACTORIES

    for factory in FACTORIES:
        register(factory, name=factory.model.class_name, aliases=factory.model.aliases)
