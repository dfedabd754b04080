"""dsio-core's built-in detectors, registered through the same hook as any plugin's."""

from dsio.hookspecs import hookimpl


@hookimpl
def dsio_register_detectors(register):
    from dsio.detectors.context import ContextSurprise
    from dsio.detectors.gaussian import Gaussian1D
    from dsio.detectors.percentile import Percentile1D

    register(Gaussian1D, name="Gaussian1D")
    register(Percentile1D, name="Percentile1D")
    register(ContextSurprise, name="ContextSurprise")
