"""dsio-core's built-in sources, registered through the same hook as any plugin's."""

from dsio.hookspecs import hookimpl


@hookimpl
def dsio_register_sources(register):
    # First the DataFrame source: it accepts only DataFrames, while the CSV source takes any
    # path, and the engine uses the first source that accepts an input.
    from dsio.sources.csv import CsvSource
    from dsio.sources.frame import FrameSource

    register(FrameSource, name="dataframe")
    register(CsvSource, name="csv", aliases=("stdin",))
