"""dsio-core's extra sub-commands, registered like any plugin's."""

from dsio.hookspecs import hookimpl


@hookimpl
def dsio_register_commands(register):
    from dsio.evaluate.command import evaluate

    register(evaluate, name="evaluate")
