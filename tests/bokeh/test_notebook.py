"""examples/notebook.ipynb, executed in a real kernel: the dashboard it embeds is live.

The notebook's output is loaded into headless Chromium from a page on another local port, as
Jupyter would show it, while the kernel (and so the replay and its server) is still running.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOTEBOOK = EXAMPLES / "notebook.ipynb"


def html_outputs(cell) -> list[str]:
    return [
        output["data"]["text/html"]
        for output in cell.get("outputs", [])
        if "text/html" in output.get("data", {})
    ]


def text_of(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


@pytest.fixture
def notebook_page_server(tmp_path):
    """Serve ``tmp_path`` over HTTP on 127.0.0.1 (a stand-in for the Jupyter server)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_notebook_shows_the_live_dashboard_inline_and_stops(
    page, notebook_page_server, wait_for, monkeypatch
) -> None:
    import nbformat
    from nbclient import NotebookClient

    folder, base_url = notebook_page_server
    # Tell the kernel's Bokeh where our stand-in for Jupyter serves its pages, as a user of a
    # Jupyter server on an unusual port would (Bokeh's own setting).
    monkeypatch.setenv("BOKEH_ALLOW_WS_ORIGIN", base_url.split("/")[2])
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(notebook, timeout=180, resources={"metadata": {"path": str(EXAMPLES)}})
    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    with client.setup_kernel():
        for index in code[:-1]:
            client.execute_cell(notebook.cells[index], index)
        # The dashboard fills its place in the output once its server is up; a front end
        # applies that update whenever it comes, nbclient only while it runs a cell.
        for _ in range(60):
            embeds = [html for i in code for html in html_outputs(notebook.cells[i])]
            if any("autoload.js" in html for html in embeds):
                break
            client.execute_cell(nbformat.v4.new_code_cell("import time; time.sleep(0.5)"), 0)
        assert len(embeds) == 1, "the restream cell shows exactly one dashboard"
        assert re.search(r"http://127\.0\.0\.1:\d+/autoload\.js", embeds[0])
        assert "replay running" in text_of(notebook.cells[code[-2]])

        (folder / "notebook.html").write_text(f"<html><body>{embeds[0]}</body></html>")
        page.goto(base_url + "notebook.html")
        state = wait_for(page, "p.plots.length === 12 && p.rows > 0", timeout=120)
        first = state["rows"]
        state = wait_for(page, f"p.rows > {first}", timeout=60)  # live, not a snapshot
        assert page.errors == []

        client.execute_cell(notebook.cells[code[-1]], code[-1])
    assert re.search(r"[\d,]+ rows scored", text_of(notebook.cells[code[-1]]))
