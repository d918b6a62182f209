"""Fixtures the browser files share.

Booting gunicorn (each worker imports the app) takes 5–25 s on the shared 2-core
machine, and starting Chromium 2–3 s, so each test process starts them once:

- ``app_server``: gunicorn exactly as ``make run`` serves it, with no settings of its
  own, for the files that need the real server;
- ``shared_duo`` and ``page``: dash.testing's in-process server and browser, and a
  fresh load of the page on them for each test;
- ``chromium``: headless Chromium as ``devtools.local_app.headless_chromium`` starts it,
  taken from this process's idle ones.

What one test loads stays its own: each page load is a new session (the app keeps its
sessions in the page, not in cookies or the browser's storage), cookies are cleared
between tests, and a Chromium is handed out with a new tab, so nothing a page registered
(a script on new documents, an emulated screen) follows it.
"""

import contextlib
from pathlib import Path

import pytest

from devtools.local_app import app_env, gunicorn, headless_chromium
from tests.browser.csp import csp_violations, watch_csp
from tests.browser.test_foundation import TIMEOUT, cut_line_y, input_value, wait_until

# The window dash.testing's browser has (tests/conftest.py pytest_setup_options).
DUO_WINDOW = (1600, 1200)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """gunicorn as ``make run`` starts it (two workers) with a private cache; its URL."""
    tmp = tmp_path_factory.mktemp("app-server")
    with gunicorn(app_env(tmp / "cache"), tmp / "gunicorn.log", workers=2) as url:
        yield url


@pytest.fixture(scope="session")
def shared_duo(request, tmp_path_factory):
    """dash.testing's server and browser, configured as the dash_duo fixture does, for every
    browser file of this test process."""
    from dash.testing.application_runners import ThreadedRunner
    from dash.testing.composite import DashComposite

    from app import app

    option = request.config.getoption
    with (
        ThreadedRunner() as server,
        DashComposite(
            server=server,
            browser=option("webdriver"),
            remote=option("remote"),
            remote_url=option("remote_url"),
            headless=option("headless"),
            options=request.config.hook.pytest_setup_options(),
            download_path=str(tmp_path_factory.mktemp("download")),
            percy_assets_root=option("percy_assets"),
            percy_finalize=option("nopercyfinalize"),
            pause=option("pause"),
        ) as duo,
    ):
        watch_csp(duo.driver)
        duo.start_server(app)
        yield duo


@pytest.fixture
def page(shared_duo):
    """A fresh load of the page (a new session) showing the tutorial's default cut."""
    driver = shared_duo.driver
    # what an earlier test (of any file) left in the browser goes first
    driver.delete_all_cookies()
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    if tuple(driver.get_window_size().values()) != DUO_WINDOW:
        driver.set_window_size(*DUO_WINDOW)
    for leftover in Path(shared_duo.download_path).iterdir():
        leftover.unlink()
    shared_duo.reset_log_timestamp()
    shared_duo.wait_for_page()
    shared_duo.wait_for_contains_text("#cophenetic", "0.980", timeout=TIMEOUT)
    wait_until(
        shared_duo, lambda: cut_line_y(shared_duo) is not None, "the dendrogram with its cut line"
    )
    wait_until(shared_duo, lambda: input_value(shared_duo, "#n-clusters") == "2", "the default cut")
    # no figure may be replaced under the mouse: wait for every callback of the load to answer
    wait_until(
        shared_duo, lambda: shared_duo.redux_state_rqs == [], "the page's callbacks to settle"
    )
    yield shared_duo
    assert csp_violations(driver) == [], "the page broke its Content-Security-Policy"


class Chromiums:
    """Headless Chromiums for one test process: ``with chromiums("1280,720") as driver`` hands
    out an idle one (or starts one, as ``headless_chromium`` does) showing a new tab and no
    cookies, in a window of that size; at the end of the block it is idle again. Two blocks
    open at once are two browsers: two people, each with their own cookies."""

    def __init__(self):
        self.idle = []
        self.stack = contextlib.ExitStack()

    @contextlib.contextmanager
    def __call__(self, window="1400,1000"):
        driver = self.idle.pop() if self.idle else self.stack.enter_context(headless_chromium())
        try:
            yield fresh(driver, window)
        finally:
            try:
                driver.get("about:blank")  # stop what the page was doing, now
            except Exception:  # a browser that broke is not handed out again
                return
            self.idle.append(driver)


def fresh(driver, window):
    """`driver` with one new tab (the others closed), no cookies, at `window` ("w,h")."""
    driver.switch_to.new_window("tab")
    tab = driver.current_window_handle
    for other in driver.window_handles:
        if other != tab:
            driver.switch_to.window(other)
            driver.close()
    driver.switch_to.window(tab)
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": "*", "storageTypes": "all"})
    width, height = (int(size) for size in window.split(","))
    if tuple(driver.get_window_size().values()) != (width, height):
        driver.set_window_size(width, height)
    return driver


@pytest.fixture(scope="session")
def chromium():
    """This process's Chromiums (Chromiums): ``with chromium(window) as driver:``."""
    chromiums = Chromiums()
    with chromiums.stack:
        yield chromiums
