"""Open pages of a built site in headless Debian Chromium (via tests/browser/run-pages.js) and report what happened.

The site is served over HTTP on 127.0.0.1 (as a real host would serve it); every request that leaves that origin
is recorded, so "no external request" can be asserted.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEPS = Path(os.environ.get("BROWSER_DEPS", REPO / ".venv" / "browser-deps"))


def ensure_dependencies() -> None:
    """Install Chromium and the node modules if missing (idempotent; CI runs it through `make test` too)."""
    subprocess.run(["bash", str(HERE / "ensure-deps.sh")], check=True, capture_output=True, text=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(directory: Path):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def open_pages(
    site: Path,
    pages: list[str],
    shots: Path | None = None,
    axe: bool = True,
    parallel: int = 1,
    width: int = 1280,
    pdf: Path | None = None,
    probes: tuple[str, ...] = (),
    clip: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Load each page in Chromium (one browser, one session, a viewport `width` px wide), `parallel` at a time;
    return one result per page, in the order of `pages` (see run-pages.js for the keys). `probes` names
    measurements in probes.js to take on each page, returned under the result's "probes". A screenshot (`shots`) is
    of the whole page, or with `clip` {"height": px, "from": a CSS selector or None} of that much of it, from the top
    or from 16 px above the element."""
    ensure_dependencies()
    for folder in (shots, pdf):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
    with serve(site) as base:
        config = site.parent / f"{site.name}-browser.json"
        config.write_text(
            json.dumps(
                {
                    "base": base,
                    "pages": pages,
                    "shots": str(shots) if shots else None,
                    "axe": axe,
                    "parallel": parallel,
                    "width": width,
                    "pdf": str(pdf) if pdf else None,
                    "probes": list(probes),
                    "clip": clip,
                }
            )
        )
        result = subprocess.run(
            ["node", str(HERE / "run-pages.js"), str(config)],
            capture_output=True,
            text=True,
            env={**os.environ, "NODE_PATH": str(DEPS / "node_modules")},
            timeout=600,
            check=False,
        )
    if result.returncode != 0:
        raise AssertionError(f"the browser run failed ({result.returncode}):\n{result.stderr[-3000:]}")
    # one JSON object a line; split on "\n" only: str.splitlines() would also split inside a string at U+2028,
    # U+2029, U+0085 and other characters that JSON.stringify leaves unescaped
    return [json.loads(line) for line in result.stdout.split("\n") if line.startswith("{")]
