"""The instance's job budget as a person meets it: gunicorn (2 workers) allowing one
job at a time, another session's job holding that slot, and a page whose linkage
job has to wait. The page says where the job stands, its cancel button takes it
out of the queue, and once the slot is free the page's next job runs."""

import threading

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from callbacks.clustering import INLINE_MAX_N
from devtools.local_app import app_env, choose_option, click_centred, gunicorn
from services.budget import Budget, DiskcacheState


@pytest.fixture
def server(tmp_path):
    cache = tmp_path / "cache"
    env = app_env(cache, INSTANCE_JOBS="1")
    with gunicorn(env, tmp_path / "gunicorn.log") as url:
        # the same record the server's jobs use, read and held from here
        yield url, Budget(DiskcacheState(str(cache / "budget")), jobs=1, memory_bytes=2**40)


def _text(driver, element_id):
    return driver.find_element("id", element_id).text


def test_bud001_a_queued_job_says_where_it_stands_and_can_be_cancelled(server, chromium):
    url, budget = server
    release, held = threading.Event(), threading.Event()

    def another_session():
        with budget.slot("another-session", "clustering", "their-linkage", 1):
            held.set()
            release.wait(300)

    holder = threading.Thread(target=another_session, daemon=True)
    try:
        with chromium() as browser:
            browser.get(url)
            WebDriverWait(browser, 90).until(
                lambda d: d.find_element("id", "cut-height").get_attribute("value")
            )
            WebDriverWait(browser, 30).until(lambda d: d.find_elements("id", "dataset"))
            holder.start()
            assert held.wait(30)
            # more than INLINE_MAX_N samples: the linkage is a background job, and must wait
            choose_option(browser, "dataset", "two moons")
            points = browser.find_element("id", "gen-n")
            points.send_keys("\b\b\b\b\b" + str(INLINE_MAX_N + 500))
            click_centred(browser, "#generate")
            WebDriverWait(browser, 90).until(
                lambda d: (
                    "Queued: next to start, when one of the 1 running jobs ends."
                    in _text(d, "job-stage")
                )
            )
            panel = browser.find_element("id", "job-panel")
            assert "running" in panel.get_attribute("class")
            assert browser.find_element("id", "cancel-job").is_enabled()
            assert f"{INLINE_MAX_N + 499:,} merges" not in _text(browser, "clustering-status")
            waiting = [t for t in budget.snapshot().values() if t["state"] == "queued"]
            assert len(waiting) == 1

            click_centred(browser, "#cancel-job")  # the person gives up waiting
            WebDriverWait(browser, 30).until(
                lambda d: "running" not in panel.get_attribute("class")
            )
            WebDriverWait(browser, 30).until(
                lambda d: [t["session"] for t in budget.snapshot().values()] == ["another-session"]
            )

            release.set()  # the other session's job ends: the slot is free
            holder.join(30)
            choose_option(browser, "method", "average")
            WebDriverWait(browser, 120).until(
                lambda d: (
                    f"Average linkage, euclidean distance: {INLINE_MAX_N + 499:,} merges"
                    in _text(d, "clustering-status")
                )
            )
            assert "clustering" not in {t["kind"] for t in budget.snapshot().values()}
    finally:
        release.set()
