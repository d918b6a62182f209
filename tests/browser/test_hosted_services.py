"""The hosted shape, with real services on loopback: Redis, a Celery worker and
gunicorn with two workers. A linkage runs through them with its progress bar;
a long job is cancelled and the worker is free again at once.

Each service is started by the test and stopped at the end.
"""

import contextlib
import time

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from callbacks.clustering import INLINE_MAX_N
from devtools.local_app import (
    app_env,
    choose_option,
    click_centred,
    gunicorn,
    redis_and_celery,
)
from tests.browser.csp import csp_violations, watch_csp
from tests.helpers import NEEDS_REDIS_AND_CELERY

pytestmark = NEEDS_REDIS_AND_CELERY


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    """Redis, one Celery worker and gunicorn (2 workers), all on loopback."""
    tmp = tmp_path_factory.mktemp("hosted")
    with contextlib.ExitStack() as stack:
        redis_url = stack.enter_context(redis_and_celery(tmp))
        env = app_env(tmp / "cache", REDIS_URL=redis_url)
        url = stack.enter_context(gunicorn(env, tmp / "gunicorn.log"))
        yield url, tmp / "celery.log"


@pytest.fixture
def browser(chromium):
    with chromium() as driver:
        watch_csp(driver)
        yield driver
        assert csp_violations(driver) == [], "the page broke its Content-Security-Policy"


def _text(driver, element_id):
    return driver.find_element("id", element_id).text


def _open(browser, url):
    """Load the page and wait for its first cut (the default clustering is done)."""
    browser.get(url)
    WebDriverWait(browser, 60).until(
        lambda d: d.find_element("id", "cut-height").get_attribute("value")
    )
    WebDriverWait(browser, 10).until(lambda d: d.find_element("id", "dataset"))


class TestHostedWithRedisAndCelery:
    def test_svc001_linkage_runs_on_the_worker(self, hosted, browser):
        url, worker_log = hosted
        _open(browser, url)
        WebDriverWait(browser, 30).until(lambda d: "0.98001" in _text(d, "cophenetic"))
        assert "Ward linkage, euclidean distance: 149 merges" in _text(browser, "clustering-status")
        assert browser.find_element("id", "n-clusters").get_attribute("value") == "2"
        # 150 samples are clustered in the request; more than INLINE_MAX_N go to a job
        succeeded_before = worker_log.read_text().count("succeeded")
        choose_option(browser, "dataset", "two moons")
        browser.find_element("id", "gen-n").send_keys("\b\b\b\b\b" + str(INLINE_MAX_N + 500))
        click_centred(browser, "#generate")
        WebDriverWait(browser, 90).until(
            lambda d: f"{INLINE_MAX_N + 499:,} merges" in _text(d, "clustering-status")
        )
        # the job ran on the Celery worker, not in the web process
        assert worker_log.read_text().count("succeeded") > succeeded_before

    def test_svc002_cancel_a_long_job_frees_the_worker(self, hosted, browser):
        url, worker_log = hosted
        _open(browser, url)
        choose_option(browser, "dataset", "two moons")
        points = browser.find_element("id", "gen-n")
        points.send_keys("\b\b\b\b\b" + "1500")
        click_centred(browser, "#generate")
        WebDriverWait(browser, 60).until(lambda d: "1,500 rows" in _text(d, "data-status"))
        WebDriverWait(browser, 60).until(lambda d: "1,499 merges" in _text(d, "clustering-status"))
        # optimal leaf ordering of 1,500 samples takes tens of seconds: a long job
        click_centred(browser, "#optimal-order input")
        panel = browser.find_element("id", "job-panel")
        WebDriverWait(browser, 30).until(lambda d: "running" in panel.get_attribute("class"))
        WebDriverWait(browser, 30).until(lambda d: "Step" in _text(d, "job-stage"))
        assert int(float(browser.find_element("id", "job-progress").get_attribute("value"))) >= 1
        assert browser.find_element("id", "cancel-job").is_enabled()
        click_centred(browser, "#cancel-job")
        WebDriverWait(browser, 20).until(lambda d: "running" not in panel.get_attribute("class"))
        assert "Leaves in optimal order" not in _text(browser, "clustering-status")
        # the worker is free: a new job (ordering off again) finishes promptly
        started = time.monotonic()
        click_centred(browser, "#optimal-order input")
        choose_option(browser, "method", "average")
        WebDriverWait(browser, 60).until(
            lambda d: "Average linkage" in _text(d, "clustering-status")
        )
        assert time.monotonic() - started < 60
        assert (
            "Terminating" in worker_log.read_text() or "revoked" in worker_log.read_text().lower()
        )

    def test_svc003_a_new_request_supersedes_a_running_job(self, hosted, browser):
        url, worker_log = hosted
        terminated_before = worker_log.read_text().count("Terminating")
        _open(browser, url)
        choose_option(browser, "dataset", "two moons")
        browser.find_element("id", "gen-n").send_keys("\b\b\b\b\b" + "1500")
        click_centred(browser, "#generate")
        WebDriverWait(browser, 60).until(lambda d: "1,499 merges" in _text(d, "clustering-status"))
        click_centred(browser, "#optimal-order input")  # a job of tens of seconds
        panel = browser.find_element("id", "job-panel")
        WebDriverWait(browser, 30).until(lambda d: "running" in panel.get_attribute("class"))
        started = time.monotonic()
        choose_option(browser, "method", "complete")  # changed mind: the running job is now stale
        WebDriverWait(browser, 90).until(
            lambda d: "Complete linkage" in _text(d, "clustering-status")
        )
        assert time.monotonic() - started < 90
        WebDriverWait(browser, 20).until(
            lambda d: worker_log.read_text().count("Terminating") > terminated_before
        )
