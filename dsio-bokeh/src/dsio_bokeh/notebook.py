"""Showing the dashboard inline in a Jupyter notebook."""

from __future__ import annotations


def show_inline(url: str) -> None:
    """Display the dashboard served at ``url`` in the current notebook cell's output.

    The output is the script Bokeh itself uses to embed a server app in another page: it loads
    BokehJS and the session from the dashboard's own server, so every notebook view of it is a
    live session like a browser tab.
    """
    from bokeh.embed import server_document
    from IPython.display import HTML, display

    display(HTML(server_document(url)))
