"""Issue #10 point 8: every response carries the security headers; nothing with session data is cached."""

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client():
    from app import app

    return app.server.test_client()


def directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def callback_body():
    """A real callback request, as the page posts it (the cut height field for a criterion)."""
    return {
        "output": "..cut-height.disabled...cut-height-help.children..",
        "outputs": [
            {"id": "cut-height", "property": "disabled"},
            {"id": "cut-height-help", "property": "children"},
        ],
        "inputs": [{"id": "criterion", "property": "value", "value": "distance"}],
        "changedPropIds": ["criterion.value"],
        "state": [],
    }


def responses(client):
    return {
        "page": client.get("/"),
        "layout": client.get("/_dash-layout"),
        "dependencies": client.get("/_dash-dependencies"),
        "callback": client.post(
            "/_dash-update-component",
            data=json.dumps(callback_body()),
            content_type="application/json",
        ),
        "asset": client.get("/assets/style.css"),
        "missing": client.get("/_dash-component-suites/no/such.js"),
    }


class TestHeaders:
    def test_every_response_has_them(self, client):
        for name, response in responses(client).items():
            assert response.headers["X-Content-Type-Options"] == "nosniff", name
            assert response.headers["X-Frame-Options"] == "DENY", name
            assert response.headers["Referrer-Policy"] == "no-referrer", name
            assert directives(response)["frame-ancestors"] == ["'none'"], name
        assert responses(client)["callback"].status_code == 200

    def test_session_data_is_never_cached(self, client):
        got = responses(client)
        for name in ("page", "layout", "dependencies", "callback"):
            assert got[name].headers["Cache-Control"] == "no-store", name
        assert "session-id" in got["layout"].get_data(as_text=True)

    def test_csp_allows_only_the_apps_own_origin(self, client):
        policy = directives(client.get("/"))
        assert policy["default-src"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        scripts = policy["script-src"]
        assert scripts[0] == "'self'"
        assert all(source.startswith("'sha256-") for source in scripts[1:])
        assert "'unsafe-eval'" not in scripts and "'unsafe-inline'" not in scripts
        every_source = " ".join(source for values in policy.values() for source in values)
        assert "http" not in every_source and "*" not in every_source

    def test_every_inline_script_of_the_page_is_hashed(self, client):
        html = client.get("/").get_data(as_text=True)
        html = re.sub(r"<!--.*?-->", "", html, flags=re.S)  # IE-only conditional comments
        hashes = set(directives(client.get("/"))["script-src"][1:])
        inline = [
            body
            for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
            if "src=" not in attributes and "application/json" not in attributes
        ]
        assert inline, "Dash writes at least its renderer inline"
        for body in inline:
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in hashes, body[:80]


class TestStrictPlotly:
    """plotly.min.js compiles WebGL code with Function(): its CSP-safe 'strict' build is served instead."""

    def test_the_strict_bundle_is_served_locally(self, client):
        html = client.get("/").get_data(as_text=True)
        assert re.search(r'<script src="/assets/plotly-strict\.min\.js', html)
        assert client.get("/assets/plotly-strict.min.js").status_code == 200

    def test_it_is_the_plotly_js_version_plotly_py_ships(self):
        import plotly

        shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

        def version(path):
            with open(path, encoding="utf-8") as handle:
                head = handle.read(300)
            return re.search(r"plotly\.js .*?v(\d+\.\d+\.\d+)", head).group(1)

        assert version(ROOT / "assets" / "plotly-strict.min.js") == version(shipped)
