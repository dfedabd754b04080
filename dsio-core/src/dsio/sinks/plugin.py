"""dsio-core's built-in sinks, registered like any plugin's."""

from dsio.hookspecs import hookimpl


@hookimpl
def dsio_register_sinks(register):
    from dsio.sinks.console import ConsoleSink
    from dsio.sinks.file import FileSink

    register(ConsoleSink, name="console")
    register(FileSink, name="file")
