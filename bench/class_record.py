"""Record the lesson of a class from a real page: every request the browser makes.

A headless Chromium opens the app and plays the lesson a teacher would give
(the tutorial's data on load, then X2, drag and type cuts, type k, change the
method, upload a small file). A fetch wrapper installed before the page's own
scripts notes each request: URL, body, start and end (ms on the page's clock)
and the action it belongs to. :mod:`bench.class_sim` replays the record for
many simulated students, so the replay follows the page as it changes.

Run alone: ``python -m bench.class_record OUT.json`` (starts its own server).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from devtools.local_app import app_env, gunicorn, headless_chromium

from .browser import (
    PENDING_CALLBACKS,
    choose,
    drag_cut_to,
    input_value,
    text,
    type_into,
    wait,
)

# Installed before any page script (CDP), so the renderer's fetches all pass it.
FETCH_RECORDER = """
window.__rec = []; window.__action = 'load';
const original = window.fetch;
window.fetch = function (input, init) {
  const entry = {url: typeof input === 'string' ? input : input.url,
                 method: (init && init.method) || 'GET',
                 body: init && typeof init.body === 'string' ? init.body : null,
                 action: window.__action, start: performance.now()};
  window.__rec.push(entry);
  return original.apply(this, arguments).then(response => {
    entry.status = response.status; entry.end = performance.now();
    if (entry.url.includes('_dash-layout')) response.clone().text().then(t => { entry.response = t; });
    return response;
  }, error => { entry.error = String(error); entry.end = performance.now(); throw error; });
};
"""

# The kinds the class table reports; each recorded action belongs to one.
KINDS = {
    "load": "page load",
    "x2": "dataset change",
    "drag": "light (cut, k)",
    "type-cut": "light (cut, k)",
    "type-k": "light (cut, k)",
    "method": "method change",
    "upload": "upload (small file)",
}


def small_csv(path: Path, rows: int = 60, seed: int = 7) -> Path:
    """A student's own small file: three 2-D blobs with a header row."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [6.0, 1.0], [2.0, 7.0]])
    points = centres[rng.integers(0, 3, rows)] + rng.normal(size=(rows, 2))
    lines = ["height,weight"] + [f"{a:.3f},{b:.3f}" for a, b in points]
    path.write_text("\n".join(lines) + "\n")
    return path


def settled(driver, seconds: float = 0.6, timeout: float = 120) -> None:
    """Wait until no Dash callback has been pending for `seconds`."""
    idle_since = [None]

    def idle(d):
        if d.execute_script("return " + PENDING_CALLBACKS + ";"):
            idle_since[0] = None
            return False
        idle_since[0] = idle_since[0] or time.monotonic()
        return time.monotonic() - idle_since[0] >= seconds

    wait(driver, idle, "the page to be idle", timeout, 0.05)


def type_and_enter(driver, element_id: str, value) -> None:
    """Replace a box's text and press Enter, as a person typing a value does."""
    from selenium.webdriver.common.keys import Keys

    type_into(driver, element_id, value)
    driver.find_element("id", element_id).send_keys(Keys.ENTER)


def _act(driver, name: str, step) -> None:
    """One step of the lesson; its requests are marked ``name:i`` (i counts the steps)."""
    driver.execute_script(
        "window.__step = (window.__step || 0) + 1;"
        "window.__action = arguments[0] + ':' + window.__step;",
        name,
    )
    step()
    settled(driver)


def _heights(driver):
    """Merge heights drawn in the dendrogram, highest first."""
    return driver.execute_script(
        "const gd = document.querySelector('#dendrogram .js-plotly-plot');"
        "const ys = []; for (const t of gd._fullData) for (const y of (t.y || [])) if (y > 0) ys.push(y);"
        "return Array.from(new Set(ys)).sort((a, b) => b - a);"
    )


def record_lesson(url: str, workdir: Path) -> dict:
    """Play the lesson in headless Chromium against `url`; returns the record."""
    upload_file = small_csv(workdir / "my_measurements.csv")
    with headless_chromium() as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FETCH_RECORDER})
        driver.get(url)
        wait(driver, lambda d: "0.980" in text(d, "cophenetic"), "the default page", 240)
        wait(driver, lambda d: d.find_elements("id", "dataset"), "the dataset menu", 60)
        settled(driver)
        # scripts, styles and lazily loaded chunks the first load fetched (not through fetch())
        resources = driver.execute_script(
            "return performance.getEntriesByType('resource')"
            ".filter(e => e.initiatorType !== 'fetch' && e.name.startsWith(location.origin))"
            ".map(e => ({url: e.name.slice(location.origin.length), start: e.startTime,"
            " end: e.responseEnd, size: e.decodedBodySize}));"
        )
        _act(driver, "x2", lambda: choose(driver, "dataset", "X2"))
        wait(driver, lambda d: "X2" in d.find_element("id", "dataset").text, "X2 chosen", 30)
        heights = _heights(driver)
        # drag between the 2nd and 3rd highest merges, then between the 4th and 5th
        for upper, lower in ((1, 2), (3, 4)):
            target = (heights[upper] + heights[lower]) / 2
            _act(driver, "drag", lambda t=target: drag_cut_to(driver, t))
        _act(
            driver,
            "type-cut",
            lambda: type_and_enter(driver, "cut-height", round(heights[2] * 0.9, 2)),
        )
        for k in (3, 5):
            _act(driver, "type-k", lambda k=k: type_and_enter(driver, "n-clusters", k))
            wait(driver, lambda d, k=k: input_value(d, "n-clusters") == str(k), "k typed", 10)
        _act(driver, "method", lambda: choose(driver, "method", "average"))
        _act(
            driver,
            "upload",
            lambda: driver.find_element("css selector", "#upload-data input[type=file]").send_keys(
                str(upload_file)
            ),
        )
        wait(driver, lambda d: "60 rows" in text(d, "data-status"), "the uploaded file", 30)
        settled(driver)
        entries = driver.execute_script("return window.__rec;")
        html = driver.execute_script("return document.documentElement.outerHTML;")
    return {
        "entries": entries,
        "resources": resources,
        "upload": upload_file.read_text(),
        "html_length": len(html),
    }


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path("class_lesson.json")
    with tempfile.TemporaryDirectory(prefix="class-record-") as tmp:
        tmp = Path(tmp)
        with gunicorn(app_env(tmp / "cache"), tmp / "gunicorn.log") as url:
            record = record_lesson(url, tmp)
    out.write_text(json.dumps(record, indent=1))
    for entry in record["entries"]:
        print(
            entry["action"],
            entry["method"],
            entry["url"][:90],
            entry.get("status"),
            round(entry.get("end", 0) - entry["start"]),
            len(entry["body"] or ""),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
