"""What this distribution contributes to dsio: the module its entry point names, hooks only."""

from dsio import hookimpl
from dsio_example_plugin.mad import MadSpike


@hookimpl
def dsio_register_detectors(register):
    register(MadSpike, aliases=("mad-spike",))
