"""The page's own scripts in one file: one request instead of eighteen.

Dash includes every ``.js`` file of ``assets/`` as its own ``<script>``: a page
load asked for each of them, and for a class of 100 each request costs the
server about a millisecond of CPU whatever its size (Flask's routing and file
handling). Here the files are read once per process, joined in the order Dash
would load them (sorted by name), and served at one URL that names their
digest, so it is cached by the browser until a file changes and compressed
once per process (:mod:`services.compression`).

plotly's bundle stays a file of its own (4.6 MB that changes only with plotly),
loaded first: some of the page's scripts wrap plotly's functions as they load
(``assets/redraw_queue.js``). The files in ``assets/`` are unchanged; Node's
tests read them one by one. Each starts as a function expression or an
assignment, so joining them declares nothing new in the page's global scope.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Response, abort

PREFIX = "/bundle/"
# Files of their own, loaded before the bundle, in this order.
SEPARATE = ("plotly-strict.min.js",)
# Dash's ``assets_ignore``: Dash lists no script of ``assets/``; :func:`install` does.
ASSETS_IGNORE = r"\.js$"
MAX_AGE_SECONDS = 365 * 24 * 3600


def bundled_files(folder: Path) -> list[Path]:
    """The scripts of `folder` that go into the bundle, in Dash's order (by name)."""
    return sorted(p for p in Path(folder).glob("*.js") if p.name not in SEPARATE)


def bundle(files) -> bytes:
    """The files joined, each after a comment naming it and ended as a statement."""
    parts = []
    for path in files:
        text = Path(path).read_text(encoding="utf-8")
        parts.append(f"/* assets/{Path(path).name} */\n{text}\n;\n")
    return "".join(parts).encode()


def install(app) -> str:
    """Serve the bundle of ``app``'s assets and put it on the page; returns its URL.

    Call before the first request (Dash lists its assets then), with the app
    built with ``assets_ignore=ASSETS_IGNORE``.
    """
    body = bundle(bundled_files(app.config.assets_folder))
    digest = hashlib.sha256(body).hexdigest()[:20]
    name = f"scripts.{digest}.js"

    def serve_bundle(file_name):
        if file_name != name:
            abort(404)
        response = Response(body, mimetype="application/javascript")
        response.cache_control.public = True
        response.cache_control.max_age = MAX_AGE_SECONDS
        response.cache_control.immutable = True
        return response

    app.server.add_url_rule(
        f"{app.config.routes_pathname_prefix.rstrip('/')}{PREFIX}<file_name>",
        "scripts_bundle",
        serve_bundle,
    )
    for separate in SEPARATE:  # at the URL Dash would give it
        modified = (Path(app.config.assets_folder) / separate).stat().st_mtime
        url = f"{app.get_asset_url(separate)}?m={modified}"
        app.scripts.append_script({"external_url": url, "external_only": True})
    url = f"{app.config.requests_pathname_prefix.rstrip('/')}{PREFIX}{name}"
    app.scripts.append_script({"external_url": url, "external_only": True})
    return url
