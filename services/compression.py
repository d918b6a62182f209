"""Compressed, cacheable scripts for a class on one network.

A page load fetches about 6 MB of scripts (the plotly bundle alone is 4.6 MB);
gzip makes that 1.8 MB, which is what a classroom's Wi-Fi carries for
each student. Scripts and styles are served at versioned URLs (Dash's
fingerprints, the assets' ``?m=<mtime>``, the scripts bundle's digest), so
each is compressed once per process and the bytes reused, keyed by that URL.

The page, the layout and callback answers belong to their session and would
be compressed anew for each answer. Measured with the class benchmark on
2 cores, that doubled page-load and interaction times (100 students: page
load p50 34 s against 19 s), so they are sent as they are: the CPU is
what a class runs short of.
"""

from __future__ import annotations

from flask import request

# Static files at versioned URLs: the same URL is always the same bytes
# (services/scripts_bundle.py names its bundle by digest).
_VERSIONED = ("/_dash-component-suites/", "/assets/", "/bundle/")
_STATIC_MIMETYPES = ("application/javascript", "text/javascript", "text/css")
ASSET_MAX_AGE_SECONDS = 24 * 3600


class StaticCompressedCache:
    """Compressed bytes of versioned static files, per process, bounded by their count.

    The keys name a file version and an algorithm; the values are a pure function
    of them, so sharing them between sessions reveals nothing.
    """

    def __init__(self, max_entries: int = 256):
        self._entries: dict = {}
        self._max = max_entries

    def get(self, key):
        return self._entries.get(key)

    def set(self, key, value):
        if key.endswith(";") or len(self._entries) >= self._max:
            return  # not a versioned static file, or full: compress per response
        self._entries[key] = value


def static_cache_key(req=None) -> str:
    """The URL of a script or style a process always serves the same; empty for anything else.

    Within one process a path under these prefixes names one file of one
    installed version (Dash adds fingerprints, assets carry their mtime), so
    the compressed bytes are a pure function of the URL.
    """
    req = req or request
    if req.method == "GET" and req.path.startswith(_VERSIONED):
        return req.full_path
    return ""


def _buffer_static_file(response):
    """An asset file read into the response, so it is compressed once per process.

    Flask streams a file from ``assets/`` (the plotly bundle among them), and
    flask-compress compresses a streamed response anew for every request,
    bypassing its cache: 200 ms of CPU per student for the plotly bundle alone.
    """
    if response.is_streamed and static_cache_key() and response.status_code == 200:
        response.direct_passthrough = False
        response.set_data(response.get_data())
    return response


def enable(server) -> None:
    """Compress scripts and styles (gzip or brotli, as the browser accepts), once per process."""
    from flask_compress import Compress

    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=4,
        COMPRESS_LEVEL=6,
        COMPRESS_MIMETYPES=list(_STATIC_MIMETYPES),
        COMPRESS_CACHE_BACKEND=StaticCompressedCache,
        COMPRESS_CACHE_KEY=static_cache_key,
        SEND_FILE_MAX_AGE_DEFAULT=ASSET_MAX_AGE_SECONDS,
    )
    Compress(server)
    # registered after Compress, so it runs before it (Flask runs them last first)
    server.after_request(_buffer_static_file)
