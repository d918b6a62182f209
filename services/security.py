"""What the server itself guarantees: a private cache folder, its signing secret, response headers.

Nothing here imports dash; :func:`install_headers` takes the Dash app only to
ask it for the hashes of its inline scripts.
"""

from __future__ import annotations

import functools
import logging
import os
import pwd
import secrets
import stat
import tempfile

from . import config

log = logging.getLogger(__name__)

SECRET_FILE = "secret_key"
# Where instances that share Redis keep the key they generated (SET NX: the first one wins).
REDIS_SECRET_KEY = "hclust:secret-key"


class UnsafeCacheDir(RuntimeError):
    """The cache folder could be read or written by someone else: refuse to start."""


def _owner_name(uid: int) -> str:
    try:
        return f"'{pwd.getpwuid(uid).pw_name}' (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def ensure_private_dir(path: str) -> str:
    """Create `path` (mode 0700) if missing, and refuse a folder someone else owns or can write.

    The cache holds every upload and pickled results that the server loads
    back: another local user who can write there could plant a pickle, and
    one who owns the folder can read everything.

    Raises
    ------
    UnsafeCacheDir
        Naming the folder, its owner or mode, and ``CACHE_DIR``.
    """
    path = os.path.abspath(path)
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except OSError as exc:
        raise UnsafeCacheDir(
            f"Cannot use the cache folder {path}: {exc.strerror}. Set CACHE_DIR to a folder of your own."
        ) from None
    me = os.geteuid()
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeCacheDir(f"The cache folder {path} is not a folder. Set CACHE_DIR to another.")
    if info.st_uid != me:
        raise UnsafeCacheDir(
            f"The cache folder {path} is owned by {_owner_name(info.st_uid)}, not by this server's "
            f"user {_owner_name(me)}: its owner could read every upload and plant the pickled results "
            "this server loads. Refusing to start; set CACHE_DIR to a folder of your own."
        )
    if info.st_mode & 0o022:
        raise UnsafeCacheDir(
            f"The cache folder {path} can be written by other users (mode {stat.filemode(info.st_mode)}): "
            "they could plant the pickled results this server loads. Refusing to start; "
            f"run 'chmod 700 {path}' or set CACHE_DIR to a private folder."
        )
    if info.st_mode & 0o044:
        log.warning(
            "The cache folder %s can be read by other users (mode %s); 'chmod 700' keeps uploads private.",
            path,
            stat.filemode(info.st_mode),
        )
    return path


def _read_secret(path: str) -> str:
    info = os.stat(path)
    if info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise UnsafeCacheDir(
            f"The session secret {path} is owned by {_owner_name(info.st_uid)} with mode "
            f"{stat.filemode(info.st_mode)}; it must be this server's own, mode 0600. Delete it or set SECRET_KEY."
        )
    with open(path, encoding="ascii") as handle:
        key = handle.read().strip()
    if len(key) < 32:
        raise UnsafeCacheDir(
            f"The session secret {path} is too short; delete it or set SECRET_KEY."
        )
    return key


@functools.cache
def secret_key() -> str:
    """The key that signs sessions: ``SECRET_KEY``, else one generated once and kept in Redis
    (with ``REDIS_URL``) or in the cache folder.

    The generated key is written to a private temporary file and linked into
    place, so concurrent workers never read half a key and all agree on the
    first one linked; restarts read it back.
    """
    if config.SECRET_KEY:
        return config.SECRET_KEY
    if config.REDIS_URL:
        # instances that share Redis share every session: they must share the key too
        import redis

        client = redis.Redis.from_url(config.REDIS_URL)
        client.set(REDIS_SECRET_KEY, secrets.token_hex(32), nx=True)
        return client.get(REDIS_SECRET_KEY).decode("ascii")
    folder = ensure_private_dir(config.CACHE_DIR)
    path = os.path.join(folder, SECRET_FILE)
    if not os.path.exists(path):
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".secret-")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another worker linked its key first: everyone uses that one
        finally:
            os.unlink(temporary)
    return _read_secret(path)


def content_security_policy(script_hashes) -> str:
    """Only the app's own origin; Dash's inline scripts by hash.

    Styles need 'unsafe-inline': Dash's components and plotly.js insert
    ``<style>`` elements and style attributes at run time. Plotly draws
    images (exports, WebGL fallbacks) from data: and blob: URLs.
    """
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


# Static files are named by version and safe to cache; everything else (the
# page, its layout with the session token, callback answers) is not.
_CACHEABLE_PREFIXES = ("/assets/", "/_dash-component-suites/", "/bundle/", "/_favicon.ico")


def security_headers(path: str, csp: str) -> dict:
    """The headers every response carries, for a request to `path`."""
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if not path.startswith(_CACHEABLE_PREFIXES):
        headers["Cache-Control"] = "no-store"
    return headers


def install_headers(app) -> str:
    """Add the security headers to every response of `app.server`; returns the CSP.

    Call after every callback is registered: the CSP lists the hashes of the
    inline scripts Dash writes into the page, clientside callbacks included.
    """
    from flask import request

    csp = content_security_policy(app.csp_hashes())

    @app.server.after_request
    def add_security_headers(response):
        for name, value in security_headers(request.path, csp).items():
            response.headers[name] = value
        return response

    return csp
