"""Two people on one instance, in two real browsers: the same numbers under their own
labels and column names. Each page's plots and download show only its own, before
and after the other loads (issue 10, point 1).

The server is gunicorn with two workers, as hosted (the test process's shared instance,
tests/browser/conftest.py); each browser is
a separate headless Chromium (its own page load, so its own session) that uploads its
file through the upload box as a person would.

Run with ``python -m pytest tests/browser/test_two_sessions.py -q --headless``.
"""

import contextlib
import csv
import io
import os
import zipfile

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

from devtools.local_app import choose_option, click_centred

TIMEOUT = 60
# The same twelve rows for both: two clear groups of six.
NUMBERS = [
    (150, 48),
    (152, 50),
    (149, 47),
    (153, 52),
    (151, 49),
    (148, 46),
    (190, 95),
    (188, 92),
    (192, 98),
    (189, 94),
    (191, 96),
    (187, 91),
]
PEOPLE = {
    "alice": {"columns": ("name", "stature_cm", "heft_kg"), "prefix": "alpha"},
    "bob": {"columns": ("tag", "girth_in", "mass_lb"), "prefix": "bravo"},
}


def labels_of(person):
    return [f"{PEOPLE[person]['prefix']}{i:02d}" for i in range(len(NUMBERS))]


def other(person):
    return next(p for p in PEOPLE if p != person)


@contextlib.contextmanager
def person_browser(chromium, person, tmp_path):
    """One person's own Chromium, downloading into their own folder."""
    downloads = tmp_path / f"{person}-downloads"
    downloads.mkdir()
    with chromium("1600,1200") as driver:
        driver.execute_cdp_cmd(
            "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
        driver.person, driver.downloads = person, downloads
        yield driver


def wait(driver, condition, what, timeout=TIMEOUT):
    WebDriverWait(driver, timeout, poll_frequency=0.2).until(
        lambda _: condition(), message=f"{driver.person}: waiting for {what}"
    )


def text(driver, element_id):
    return driver.find_element("id", element_id).text


def open_page(driver, url):
    driver.get(url)
    wait(driver, lambda: "0.980" in text(driver, "cophenetic"), "the tutorial's first clustering")


def upload_own_file(driver, tmp_path):
    person = driver.person
    path = tmp_path / f"{person}.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PEOPLE[person]["columns"])
        writer.writerows([label, *row] for label, row in zip(labels_of(person), NUMBERS))
    driver.find_element("css selector", "#upload-data input[type=file]").send_keys(str(path))
    wait(
        driver,
        lambda: (
            f"{person}.csv" in text(driver, "data-status")
            and "12 rows × 2 columns used" in text(driver, "data-status")
        ),
        "the upload to load",
    )


def plots(driver):
    """What both plots show: leaf labels, scatter names and the scatter's axis titles."""
    return driver.execute_script(
        """
        const graph = id => document.querySelector('#' + id + ' .js-plotly-plot');
        const tree = graph('dendrogram'), dots = graph('scatter');
        if (!tree || !dots || !tree._fullLayout || !dots._fullData) return null;
        const names = [];
        for (const trace of dots._fullData) for (const t of (trace.text || [])) names.push(t);
        return {
          leaves: Array.from(tree._fullLayout.xaxis.ticktext || []),
          points: names,
          x: dots._fullLayout.xaxis.title.text,
          y: dots._fullLayout.yaxis.title.text,
          title: tree._fullLayout.title.text,
        };
        """
    )


def assert_plots_show_only_own(driver, method="ward"):
    person = driver.person
    own = set(labels_of(person))
    _, x_title, y_title = PEOPLE[person]["columns"]

    def shown():
        found = plots(driver)
        return (
            found is not None
            and f"({method}," in found["title"]
            and set(found["leaves"]) == own
            and set(found["points"]) == own
        )

    try:
        wait(driver, shown, f"the {method} plots with {person}'s labels")
    except TimeoutException:
        raise AssertionError(f"{person}'s {method} plots show {plots(driver)}") from None
    found = plots(driver)
    assert (found["x"], found["y"]) == (x_title, y_title), found
    others = {*labels_of(other(person)), *PEOPLE[other(person)]["columns"][1:]}
    assert not others & {*found["leaves"], *found["points"], found["x"], found["y"]}


def download(driver):
    """Press Download and read clusters.csv from the one zip that arrives."""
    for name in os.listdir(driver.downloads):
        os.remove(driver.downloads / name)
    click_centred(driver, "#download-labels")

    def finished():
        names = os.listdir(driver.downloads)
        done = [n for n in names if n.endswith(".zip")]
        return done if done and not any(n.endswith(".crdownload") for n in names) else []

    wait(driver, lambda: finished(), "the zip download")
    (name,) = finished()
    with zipfile.ZipFile(driver.downloads / name) as archive:
        text = archive.read("clusters.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def assert_download_is_own(driver):
    person = driver.person
    rows = download(driver)
    label, first, second = PEOPLE[person]["columns"]
    expected = [label, first, second, "cluster", "cluster_status", "file_line"]
    assert list(rows[0]) == expected, list(rows[0])
    assert [row[label] for row in rows] == labels_of(person)
    clusters = [row["cluster"] for row in rows]
    assert len(set(clusters[:6])) == 1 and len(set(clusters[6:])) == 1
    assert clusters[0] != clusters[6]


class TestTwoSessions:
    def test_ses001_same_numbers_other_labels_each_page_shows_only_its_own(
        self, app_server, tmp_path, chromium
    ):
        with (
            person_browser(chromium, "alice", tmp_path) as alice,
            person_browser(chromium, "bob", tmp_path) as bob,
        ):
            open_page(alice, app_server)
            open_page(bob, app_server)
            upload_own_file(alice, tmp_path)
            assert_plots_show_only_own(alice)
            assert_download_is_own(alice)

            upload_own_file(bob, tmp_path)  # the same numbers, after alice
            assert_plots_show_only_own(bob)
            assert_download_is_own(bob)

            # alice's page is redrawn by the server after bob loaded: still only hers
            choose_option(alice, "method", "average")
            assert_plots_show_only_own(alice, method="average")
            assert_download_is_own(alice)
            # and bob's after alice's redraw
            choose_option(bob, "method", "complete")
            assert_plots_show_only_own(bob, method="complete")
            assert_download_is_own(bob)
