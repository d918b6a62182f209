"""The page's own scripts in one request (services/scripts_bundle.py)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from app import app, server
from services import scripts_bundle

ASSETS = scripts_bundle.Path(app.config.assets_folder)


def page_scripts() -> list[str]:
    html = server.test_client().get("/").get_data(as_text=True)
    return re.findall(r'<script src="([^"]+)"', html)


class TestTheBundle:
    def test_the_page_loads_plotly_then_one_bundle_and_no_other_asset_script(self):
        scripts = page_scripts()
        ours = [s for s in scripts if s.startswith(("/assets/", "/bundle/"))]
        assert len(ours) == 2
        assert ours[0].startswith("/assets/plotly-strict.min.js?m=")
        assert re.fullmatch(r"/bundle/scripts\.[0-9a-f]{20}\.js", ours[1])
        # every script of assets/ but plotly's is in the bundle, none served on its own
        assert len(scripts_bundle.bundled_files(ASSETS)) >= 15

    def test_it_holds_every_script_of_assets_in_dash_s_order(self):
        url = [s for s in page_scripts() if s.startswith("/bundle/")][0]
        text = server.test_client().get(url).get_data(as_text=True)
        names = sorted(p.name for p in ASSETS.glob("*.js") if p.name != "plotly-strict.min.js")
        assert re.findall(r"^/\* assets/(\S+) \*/$", text, re.M) == names
        at = 0
        for name in names:  # each file whole, in name order
            found = text.index((ASSETS / name).read_text(encoding="utf-8"), at)
            assert found >= at
            at = found

    @pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
    def test_the_joined_scripts_parse_as_one_script(self, tmp_path):
        joined = tmp_path / "bundle.js"
        joined.write_bytes(scripts_bundle.bundle(scripts_bundle.bundled_files(ASSETS)))
        checked = subprocess.run(["node", "--check", str(joined)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr

    def test_cacheable_for_good_compressed_once_and_only_at_its_digest(self):
        client = server.test_client()
        url = [s for s in page_scripts() if s.startswith("/bundle/")][0]
        answer = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert answer.status_code == 200
        assert answer.headers["Content-Encoding"] == "gzip"
        assert "immutable" in answer.headers["Cache-Control"]
        assert "max-age=31536000" in answer.headers["Cache-Control"]
        assert answer.mimetype == "application/javascript"
        assert client.get("/bundle/scripts.0000.js").status_code == 404

    def test_a_changed_file_changes_the_bundle(self, tmp_path):
        for name in ("b.js", "a.js", "plotly-strict.min.js"):
            (tmp_path / name).write_text(f"window.{name[0]} = 1;")
        files = scripts_bundle.bundled_files(tmp_path)
        assert [p.name for p in files] == ["a.js", "b.js"]
        before = scripts_bundle.bundle(files)
        (tmp_path / "b.js").write_text("window.b = 2;")
        assert scripts_bundle.bundle(files) != before
