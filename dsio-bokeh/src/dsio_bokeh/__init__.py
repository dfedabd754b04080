"""dsio-bokeh: a live Bokeh dashboard for dsio, in the browser or inline in Jupyter."""

__version__ = "0.1.0"
