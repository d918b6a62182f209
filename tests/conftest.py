"""Shared test setup.

The cache directory must be chosen before any app module is imported,
because ``services.config`` reads ``CACHE_DIR`` at import time; hence the
environment is set at the very top of this file, before anything else.
"""

import os
import shutil
import socket
import tempfile

_TEST_CACHE_DIR = tempfile.mkdtemp(prefix="hclust-test-")
os.environ.setdefault("CACHE_DIR", _TEST_CACHE_DIR)
# a bug in a callback answers 500 in tests (services/request_guard.py), so the test fails
os.environ.setdefault("HCLUST_STRICT_CALLBACKS", "1")

import multiprocess  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# No deadline for any hypothesis example: how long an example takes is a timing, and timings
# belong in bench/, not in tests; on the shared 2-core machine hypothesis's default 200 ms
# fails a correct example now and then ("Unreliable test timings"). The number of examples
# stays each test's own.
settings.register_profile("hclust", deadline=None)
settings.load_profile("hclust")

# The test servers run threaded inside pytest; forking a job from a threaded
# process can inherit a held lock and hang. A forkserver forks jobs from a
# clean single-threaded process instead (gunicorn's sync workers need no help).
multiprocess.set_start_method("forkserver", force=True)

from hclust.cut import TreeIndex  # noqa: E402
from hclust.data import tutorial_blobs  # noqa: E402
from hclust.linkage import compute_linkage  # noqa: E402

# Each test process starts its dash.testing servers from a port the system has just found
# free: a fixed one (dash's 58050, or one per xdist worker) is taken by any other run of the
# tests on the same machine at the same time.
with socket.socket() as _probe:
    _probe.bind(("127.0.0.1", 0))
    from dash.testing.application_runners import BaseDashRunner

    BaseDashRunner._next_port = _probe.getsockname()[1]

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


# The files that take longest, slowest first (seconds of one process on the shared 2-core
# machine, 2026-11-29, load average 10-13 from other runs: the suite with --durations and
# single files; a browser file's first test also pays for the process's shared servers and
# browser). `make test` hands whole files to two processes in collection order (--dist
# loadfile --no-loadscope-reorder): the long files start first and the many short unit files
# fill in around them, so both processes end together. Left to xdist, files with few tests
# (these) would be handed out last. The lesson is three files (its walk in two halves) so
# that no file holds a process for much longer than the others.
SLOWEST_FIRST = (
    "tests/browser/test_instrument.py",  # 400 s
    "tests/browser/test_hosted_services.py",  # 205 s (290 s when svc003 times out)
    "tests/browser/test_a11y.py",  # 125-160 s
    "tests/browser/test_security.py",  # 150 s
    "tests/browser/test_lesson_present.py",  # 90-170 s
    "tests/browser/test_share_link.py",  # 110 s
    "tests/browser/test_lesson_end.py",  # 100-160 s
    "tests/server/test_callback_fuzz.py",  # 80 s
    "tests/browser/test_merge_steps.py",  # 45-95 s
    "tests/browser/test_two_instances.py",  # 75 s
    "tests/browser/test_budget.py",  # 75 s
    "tests/browser/test_data_in.py",  # 35-60 s
    "tests/unit/test_agreement.py",  # 52 s
    "tests/browser/test_lesson.py",  # 30 s
    "tests/browser/test_two_sessions.py",  # 30 s
    "tests/browser/test_foundation.py",  # 30 s
    "tests/browser/test_choosing_k.py",  # 30 s
    "tests/unit/test_diagnostics.py",  # 27 s
    "tests/unit/test_cut.py",  # 25 s
    "tests/unit/test_against_scipy.py",  # 22 s
    "tests/unit/test_budget.py",  # 22 s
    "tests/unit/test_share_export.py",  # 20 s (130 s with an interpreter per exported script)
)


def pytest_collection_modifyitems(session, config, items):
    """Whole files, the slowest first (SLOWEST_FIRST, then other browser and server files,
    then the rest by number of tests); each file's tests keep their order."""
    files = [item.nodeid.split("::", 1)[0] for item in items]
    counts = {name: files.count(name) for name in set(files)}
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}

    def weight(name):
        unit = not name.startswith(("tests/browser/", "tests/server/"))
        return (rank.get(name, len(rank)), unit, -counts[name], name)

    order = {id(item): (weight(name), i) for i, (item, name) in enumerate(zip(items, files))}
    items.sort(key=lambda item: order[id(item)])


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
