"""Beyond one machine: two app instances behind a load balancer, sharing one Redis.

Each instance is gunicorn as ``make run`` starts it (gunicorn.conf.py), with its
own CACHE_DIR, so all they share is Redis (sessions, results, the background
jobs' broker and results) and one Celery worker. A round-robin proxy in front
sends each request to the other instance in turn, and a job's polls to the
instance that did not start it. One person's page is driven through the proxy:
whichever instance answers sees the session's state, and a job started through
one instance is collected through the other.

Every service is started on loopback by the test and stopped at the end.
"""

import contextlib
from collections import Counter

import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from callbacks.clustering import INLINE_MAX_N
from devtools.local_app import (
    app_env,
    choose_option,
    click_centred,
    gunicorns,
    redis_and_celery,
    round_robin_proxy,
)
from hclust.data import tutorial_blobs
from tests.helpers import NEEDS_REDIS_AND_CELERY

pytestmark = NEEDS_REDIS_AND_CELERY


@pytest.fixture(scope="module")
def two_instances(tmp_path_factory):
    """Redis, a Celery worker, two gunicorn instances and a round-robin proxy before them."""
    tmp = tmp_path_factory.mktemp("two-instances")
    with contextlib.ExitStack() as stack:
        redis_url = stack.enter_context(redis_and_celery(tmp))
        # each instance its own disk cache: only Redis is shared (both boot at once)
        instances = stack.enter_context(
            gunicorns(
                *(
                    dict(
                        env=app_env(tmp / f"cache-{name}", REDIS_URL=redis_url),
                        log_path=tmp / f"gunicorn-{name}.log",
                    )
                    for name in ("a", "b")
                ),
                workers=1,
            )
        )
        url, log = stack.enter_context(round_robin_proxy(instances))
        yield url, log, tmp / "celery.log"


@pytest.fixture
def browser(chromium):
    with chromium() as driver:
        yield driver


def _text(driver, element_id):
    return driver.find_element("id", element_id).text


def _box(driver, element_id):
    """A number box as a person sees it."""
    return driver.find_element("id", element_id).get_attribute("value")


def _type(driver, element_id, text, key):
    """Select what the box holds, type over it and press `key`, as a person does.

    Selenium holds a modifier down until Keys.NULL or the end of the call: without the
    NULL, "4" would be Ctrl+4 (nothing typed) and Enter Ctrl+Enter on an empty box.
    """
    box = driver.find_element("id", element_id)
    box.send_keys(Keys.CONTROL, "a", Keys.NULL, text, key)


def _summary_sizes(driver):
    cells = driver.find_elements("css selector", "#cluster-summary td[data-dash-column=size]")
    return sorted(int(cell.text) for cell in cells if cell.text.strip())


def _open(driver, url):
    """Load the page and wait for its default clustering and its (lazily loaded) menus."""
    driver.get(url)
    WebDriverWait(driver, 120).until(lambda d: "0.98001" in _text(d, "cophenetic"))
    WebDriverWait(driver, 30).until(lambda d: d.find_elements("id", "dataset"))


def _callbacks(log, first=0):
    return [e for e in log[first:] if "_dash-update-component" in e["path"]]


class TestTwoInstancesShareRedis:
    def test_two001_either_instance_answers_for_the_same_session(self, two_instances, browser):
        url, log, _ = two_instances
        _open(browser, url)
        first = len(log)
        choose_option(browser, "dataset", "X2")
        _, X2 = tutorial_blobs()
        Z2 = linkage(X2, "ward")
        # X2's default cut (the largest jump) gives 3 clusters: the typed k must differ
        WebDriverWait(browser, 60).until(lambda d: _box(d, "n-clusters") == "3")
        _type(browser, "n-clusters", "4", Keys.ENTER)
        # the answers agree with scipy on the data the session loaded through either instance
        expected = sorted(Counter(fcluster(Z2, 4, criterion="maxclust")).values())
        WebDriverWait(browser, 60).until(lambda d: _summary_sizes(d) == expected)
        assert _box(browser, "n-clusters") == "4"  # the box reads what was typed and answered
        # a height typed and left by Tab: 170 lies between the 5th and 4th highest merges
        _type(browser, "cut-height", "170", Keys.TAB)
        expected = sorted(Counter(fcluster(Z2, 170, criterion="distance")).values())
        assert len(expected) == 5
        WebDriverWait(browser, 60).until(lambda d: _summary_sizes(d) == expected)
        assert (_box(browser, "cut-height"), _box(browser, "n-clusters")) == ("170", "5")
        answered = _callbacks(log, first)
        assert all(e["status"] in (200, 204) for e in answered), answered
        # callbacks that read the session's data were answered by both instances
        assert {e["upstream"] for e in answered} == {0, 1}
        assert len(answered) >= 4

    def test_two002_a_job_started_through_one_is_collected_through_the_other(
        self, two_instances, browser
    ):
        url, log, worker_log = two_instances
        _open(browser, url)
        succeeded = worker_log.read_text().count("succeeded")
        first = len(log)
        # more than INLINE_MAX_N samples: the linkage is a background job on Celery
        choose_option(browser, "dataset", "two moons")
        browser.find_element("id", "gen-n").send_keys("\b\b\b\b\b" + str(INLINE_MAX_N + 500))
        click_centred(browser, "#generate")
        WebDriverWait(browser, 180).until(
            lambda d: f"{INLINE_MAX_N + 499:,} merges" in _text(d, "clustering-status")
        )
        assert worker_log.read_text().count("succeeded") > succeeded
        answered = _callbacks(log, first)
        assert all(e["status"] in (200, 204) for e in answered), answered
        started = {e["started"]: e["upstream"] for e in answered if e["started"]}
        assert started, "no background job was started"
        collected = [e for e in answered if e["collected"]]
        assert collected, "no job result was collected"
        for entry in collected:
            handle = dict(
                p.split("=", 1) for p in entry["path"].split("?", 1)[1].split("&") if "=" in p
            )["cacheKey"]
            assert started[handle] != entry["upstream"]
