"""Fixtures the browser files share.

Booting gunicorn (each worker imports the app) takes 5–25 s on the shared 2-core
machine, so the files that need the app exactly as ``make run`` serves it, with no
settings of their own, share one instance per test process. Each test still opens
its own Chromium, so its own cookies and session: what one page loads stays its
own on a shared server, as on a real one.
"""

import pytest

from devtools.local_app import app_env, gunicorn


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """gunicorn as ``make run`` starts it (two workers) with a private cache; its URL."""
    tmp = tmp_path_factory.mktemp("app-server")
    with gunicorn(app_env(tmp / "cache"), tmp / "gunicorn.log", workers=2) as url:
        yield url
