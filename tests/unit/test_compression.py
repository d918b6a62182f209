"""Scripts are compressed once per process; sessions' answers are neither compressed nor shared."""

import gzip
import json
import re
from unittest import mock

import flask_compress.flask_compress as fc
import pytest

from app import server
from services.compression import StaticCompressedCache, static_cache_key


@pytest.fixture(scope="module")
def client():
    return server.test_client()


def _scripts(client):
    page = client.get("/").get_data(as_text=True)
    return re.findall(r'src="(/_dash-component-suites/[^"]+\.js[^"]*)"', page)


class TestCompression:
    def test_scripts_are_gzipped_and_identical_once_unpacked(self, client):
        url = max(_scripts(client), key=lambda u: len(client.get(u).get_data()))
        plain = client.get(url).get_data()
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.get_data()) == plain
        assert len(packed.get_data()) < len(plain) / 2

    def test_a_script_is_compressed_once_per_process(self, client):
        url = _scripts(client)[0]
        with mock.patch.object(fc, "_compress_data", wraps=fc._compress_data) as compress:
            first = client.get(url, headers={"Accept-Encoding": "gzip"}).get_data()
            second = client.get(url, headers={"Accept-Encoding": "gzip"}).get_data()
        assert first == second
        assert compress.call_count <= 1

    @pytest.mark.parametrize("encoding", ["gzip, deflate", "gzip, deflate, br"])
    def test_an_asset_file_is_compressed_once_per_process(self, client, encoding):
        """Files of assets/ (the 4.6 MB plotly bundle among them) are streamed by Flask, which
        flask-compress compressed anew for each request: 200 ms of CPU per student."""
        page = client.get("/").get_data(as_text=True)
        [url] = re.findall(r'src="(/assets/plotly-strict[^"]+)"', page)
        plain = client.get(url).get_data()
        with (
            mock.patch.object(fc, "_compress_data", wraps=fc._compress_data) as compress,
            mock.patch.object(fc, "_compress_chunks", wraps=fc._compress_chunks) as chunks,
        ):
            first = client.get(url, headers={"Accept-Encoding": encoding})
            second = client.get(url, headers={"Accept-Encoding": encoding})
        assert first.get_data() == second.get_data()
        assert compress.call_count <= 1 and chunks.call_count == 0
        assert first.headers["Content-Encoding"] in ("gzip", "br")
        assert len(first.get_data()) < len(plain) / 2
        if first.headers["Content-Encoding"] == "gzip":
            assert gzip.decompress(first.get_data()) == plain

    def test_session_answers_are_sent_as_they_are(self, client):
        # compressing them anew for every answer cost a class more CPU than it saved
        blob = {"size": 50, "mean x": 0, "mean y": 0, "std x": 2, "std y": 2, "corr": 0}
        body = json.dumps(
            {
                "output": "gen-blobs.data",
                "outputs": {"id": "gen-blobs", "property": "data"},
                "inputs": [{"id": "gen-add-blob", "property": "n_clicks", "value": 1}],
                "state": [{"id": "gen-blobs", "property": "data", "value": [blob] * 10}],
                "changedPropIds": ["gen-add-blob.n_clicks"],
            }
        )
        answer = client.post(
            "/_dash-update-component",
            data=body,
            content_type="application/json",
            headers={"Accept-Encoding": "gzip"},
        )
        layout = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
        for response in (answer, layout):
            assert response.status_code == 200
            assert len(response.get_data()) > 500  # above flask-compress's minimum size
            assert "Content-Encoding" not in response.headers
            json.loads(response.get_data())
        with server.test_request_context("/_dash-update-component", method="POST"):
            assert static_cache_key() == ""  # and never a cache key


class TestStaticCompressedCache:
    def test_keeps_only_versioned_static_keys_and_stays_bounded(self):
        cache = StaticCompressedCache(max_entries=2)
        cache.set("gzip;", b"a session's answer")
        assert cache.get("gzip;") is None
        cache.set("gzip;/assets/a.js?m=1", b"1")
        cache.set("gzip;/assets/b.js?m=1", b"2")
        cache.set("gzip;/assets/c.js?m=1", b"3")
        assert cache.get("gzip;/assets/a.js?m=1") == b"1"
        assert cache.get("gzip;/assets/c.js?m=1") is None

    def test_only_gets_of_static_paths_have_a_key(self):
        with server.test_request_context("/_dash-component-suites/dash/x.v1m2.js"):
            assert static_cache_key() == "/_dash-component-suites/dash/x.v1m2.js?"
        with server.test_request_context("/_dash-layout"):
            assert static_cache_key() == ""
        with server.test_request_context("/"):
            assert static_cache_key() == ""
