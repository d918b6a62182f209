"""Shared test setup.

The cache directory must be chosen before any app module is imported,
because ``services.config`` reads ``CACHE_DIR`` at import time; hence the
environment is set at the very top of this file, before anything else.
"""

import os
import shutil
import tempfile

_TEST_CACHE_DIR = tempfile.mkdtemp(prefix="hclust-test-")
os.environ.setdefault("CACHE_DIR", _TEST_CACHE_DIR)
# a bug in a callback answers 500 in tests (services/request_guard.py), so the test fails
os.environ.setdefault("HCLUST_STRICT_CALLBACKS", "1")

import multiprocess  # noqa: E402
import pytest  # noqa: E402

# The test servers run threaded inside pytest; forking a job from a threaded
# process can inherit a held lock and hang. A forkserver forks jobs from a
# clean single-threaded process instead (gunicorn's sync workers need no help).
multiprocess.set_start_method("forkserver", force=True)

from hclust.cut import TreeIndex  # noqa: E402
from hclust.data import tutorial_blobs  # noqa: E402
from hclust.linkage import compute_linkage  # noqa: E402

# Under pytest-xdist each test process starts its dash.testing servers on ports of its own.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
if _WORKER.startswith("gw") and _WORKER[2:].isdigit():
    from dash.testing.application_runners import BaseDashRunner

    BaseDashRunner._next_port = 58050 + 500 * int(_WORKER[2:])

# Debian ships chromium and its chromedriver under these names.
CHROMIUM = os.environ.get("DASH_TEST_CHROMEPATH", "/usr/bin/chromium")


def pytest_setup_options():
    """Chrome options for dash.testing's browser fixtures (dash_duo).

    dash.testing adds --headless (with ``pytest --headless``), --no-sandbox,
    --disable-dev-shm-usage and --disable-gpu itself; here we point it at
    Debian's chromium and give it a window large enough for the side-by-side
    plots.
    """
    from selenium.webdriver.chrome.options import Options

    options = Options()
    if os.path.exists(CHROMIUM):
        options.binary_location = CHROMIUM
    options.add_argument("--no-sandbox")
    options.add_argument("--window-size=1600,1200")
    return options


def pytest_unconfigure(config):
    if os.environ.get("CACHE_DIR") == _TEST_CACHE_DIR:
        shutil.rmtree(_TEST_CACHE_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def tutorial():
    """The tutorial's data and ward/euclidean linkages, from our own code paths."""
    X, X2 = tutorial_blobs()
    Z = compute_linkage(X, "ward", "euclidean")
    Z2 = compute_linkage(X2, "ward", "euclidean")
    return dict(X=X, X2=X2, Z=Z, Z2=Z2, tree=TreeIndex.from_linkage(Z))


def pytest_sessionfinish(session, exitstatus):
    """Leave no process behind, so the run always ends.

    The in-process test servers are threaded, and Dash runs each background
    callback in a process forked from them; a fork taken while another
    thread holds a lock can wait forever. Such orphans keep the test process
    from exiting (multiprocess joins its children at exit), so end them here.
    """
    import psutil

    for child in psutil.Process().children(recursive=True):
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
