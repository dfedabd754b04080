"""dsio-bokeh's contribution to dsio: the ``bokeh`` sink (a live dashboard)."""

from dsio import hookimpl


@hookimpl
def dsio_register_sinks(register):
    from dsio_bokeh.sink import BokehSink  # Bokeh itself is imported only when a run opens it

    register(BokehSink, name="bokeh", aliases=("dashboard",))
