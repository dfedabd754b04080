"""Showing the dashboard inline in a Jupyter notebook."""

from __future__ import annotations


class InlineDashboard:
    """The dashboard's place in the output of the cell that started the replay.

    The sink is built on the cell's thread but opens on the replay's background thread, and
    output sent from a background thread lands in whichever cell runs at that moment. So the
    place is taken at once (a named, updatable display) and filled in when the server is up.
    The content is the script Bokeh itself uses to embed a server app in another page: it loads
    BokehJS and a session from the dashboard's own server, so each view is a live session.
    """

    def __init__(self) -> None:
        from IPython import get_ipython
        from IPython.display import HTML, display

        self._display = None  # outside IPython only the logged URL tells where the dashboard is
        if get_ipython() is not None:
            self._display = display(
                HTML("<i>dsio: the live dashboard is starting&hellip;</i>"), display_id=True
            )

    def show(self, url: str) -> None:
        from bokeh.embed import server_document
        from IPython.display import HTML

        if self._display is not None:
            self._display.update(HTML(server_document(url)))

    def closed(self) -> None:
        from IPython.display import HTML

        if self._display is not None:
            self._display.update(HTML("<i>dsio: the live dashboard was stopped.</i>"))


#: Where Jupyter serves notebooks unless told otherwise.
DEFAULT_JUPYTER = ("localhost:8888", "127.0.0.1:8888")


def notebook_origins() -> list[str]:
    """Origins of the Jupyter servers on this machine, whose pages embed the dashboard.

    Bokeh only accepts websocket connections from pages of listed origins (``host:port``; it
    has no "any port" pattern). The running Jupyter servers are asked where they listen when
    ``jupyter_server`` is importable; Jupyter's default port is always allowed. Other front ends
    (VS Code, a remote JupyterHub) need ``bokeh_origins=[...]`` or Bokeh's own
    ``BOKEH_ALLOW_WS_ORIGIN`` environment variable.
    """
    origins = list(DEFAULT_JUPYTER)
    try:
        from jupyter_server.serverapp import list_running_servers
    except ImportError:
        return origins
    try:
        for server in list_running_servers():
            port = server.get("port")
            if port:
                origins += [f"localhost:{port}", f"127.0.0.1:{port}"]
                if server.get("hostname") not in (None, "", "localhost", "127.0.0.1"):
                    origins.append(f"{server['hostname']}:{port}")
    except Exception:  # a stale runtime file must not stop the dashboard
        return origins
    return list(dict.fromkeys(origins))
