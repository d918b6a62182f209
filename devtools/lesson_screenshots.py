"""Walk the lesson in headless Chromium at 1280×720 and save one screenshot per step.

    python -m devtools.lesson_screenshots            # writes docs/lesson/step-01.png … step-13.png
    python -m devtools.lesson_screenshots --present  # the same in presentation mode

Starts its own gunicorn (as ``make run``) with a private cache. The helpers here
(viewport, waiting for a step to be shown) are shared with tests/browser/test_lesson.py.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from selenium.webdriver.support.ui import WebDriverWait

from hclust import lesson

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "docs" / "lesson"
TIMEOUT = 120


def set_viewport(driver, width: int, height: int) -> None:
    """Make the page's viewport (not the window) `width` × `height` CSS pixels."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [innerWidth, innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def prop(driver, component_id, name):
    """A component's property as Dash's renderer holds it (what callbacks receive)."""
    return driver.execute_script(
        "const state = window.store.getState(), path = state.paths.strs[arguments[0]];"
        "if (!path) return null; let node = state.layout; for (const key of path) node = node[key];"
        "return node.props[arguments[1]] === undefined ? null : node.props[arguments[1]];",
        component_id,
        name,
    )


def rect(driver, element_id):
    """The element's box in the viewport, and the viewport's size."""
    return driver.execute_script(
        "const e = document.getElementById(arguments[0]); if (!e) return null;"
        "const r = e.getBoundingClientRect();"
        "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,"
        " width: r.width, height: r.height, vw: innerWidth, vh: innerHeight};",
        element_id,
    )


def in_view(box) -> bool:
    return bool(box) and (
        box["top"] >= -0.5
        and box["left"] >= -0.5
        and box["bottom"] <= box["vh"] + 0.5
        and box["right"] <= box["vw"] + 0.5
    )


# The component properties shown_state reads (as ``prop`` reads them), in one round trip.
SHOWN_PROPS = {
    "cut": ("cut", "data"),
    "dataset": ("dataset", "value"),
    "truncate_mode": ("truncate-mode", "value"),
    "p": ("truncate-p", "value"),
    "annotate_above": ("annotate-above", "value"),
    "inconsistency_depth": ("inconsistency-depth", "value"),
    "pending": ("share-pending", "data"),
}
SHOWN_SCRIPT = """
const state = window.store.getState(), out = {};
for (const [name, [id, property]] of Object.entries(arguments[0])) {
  const path = state.paths.strs[id];
  let node = state.layout;
  if (path) for (const key of path) node = node[key];
  out[name] = path && node.props[property] !== undefined ? node.props[property] : null;
}
const gd = document.querySelector('#dendrogram .js-plotly-plot');
const shapes = gd && gd._fullLayout && gd._fullLayout.shapes || [];
const line = shapes.find(s => s.type === 'line' && s.visible !== false);
out.line = line ? line.y0 : null;
out.stale = !!document.querySelector('.plots.stale, .diagnostics.stale');
return out;
"""


def shown_state(driver) -> dict:
    """What the page shows: the controls, the cut it drew, and whether it is up to date."""
    read = driver.execute_script(SHOWN_SCRIPT, SHOWN_PROPS)
    cut = read["cut"] or {}
    clustering = cut.get("clustering") or {}
    return {
        "title": driver.find_element("id", "lesson-step").text,
        "dataset": read["dataset"],
        "method": clustering.get("method"),
        "metric": clustering.get("metric"),
        "truncate_mode": read["truncate_mode"],
        "p": read["p"],
        "criterion": cut.get("criterion"),
        "height": cut.get("height"),
        "k": cut.get("k"),
        "t": cut.get("t"),
        "depth": cut.get("depth"),
        "annotate_above": read["annotate_above"],
        "inconsistency_depth": read["inconsistency_depth"],
        "line": read["line"],
        "pending": read["pending"],
        "stale": read["stale"],
    }


def differences(number: int, shown: dict) -> list:
    """How the page differs from step `number`'s state (empty when it shows the step)."""
    state = lesson.step(number).state
    wanted = {
        key: state[key]
        for key in ("dataset", "method", "metric", "truncate_mode", "p", "criterion")
    }
    wanted["annotate_above"] = state["annotate_above"]
    wanted["inconsistency_depth"] = state["inconsistency_depth"]
    if state["criterion"] == "distance":
        wanted["height"] = wanted["line"] = state["height"]  # the drawn line too
    elif state["criterion"] == "maxclust":
        wanted["k"] = state["k"]
    else:
        wanted["t"], wanted["depth"] = state["t"], state["depth"]
    out = [
        f"{key}: {shown.get(key)!r} != {value!r}"
        for key, value in wanted.items()
        if shown.get(key) != value
    ]
    if not shown["title"].startswith(f"Step {number} of {lesson.N_STEPS}"):
        out.append(f"title {shown['title']!r}")
    if shown["pending"] or shown["stale"]:
        out.append("still computing")
    return out


def wait_for_step(driver, number: int, timeout: float = TIMEOUT) -> dict:
    """Wait until the page shows step `number` in full, its panel in view; the state shown."""
    panel = lesson.step(number).panel
    last = {}

    def done(_):
        last["shown"] = shown = shown_state(driver)
        last["missing"] = differences(number, shown)
        last["panel"] = box = rect(driver, panel)
        return not last["missing"] and in_view(box) and in_view(rect(driver, "lesson"))

    try:
        WebDriverWait(driver, timeout, poll_frequency=0.3).until(done)
    except Exception as error:
        raise AssertionError(f"step {number} not shown: {last}") from error
    return last["shown"]


def walk(driver, url: str, shots: Path, present: bool = False) -> None:
    driver.get(url)
    WebDriverWait(driver, TIMEOUT).until(
        lambda d: (prop(d, "cut", "data") or {}).get("clustering") is not None
    )
    if present:
        driver.find_element("css selector", "#presentation-mode input").click()
    driver.find_element("id", "lesson-open").click()
    shots.mkdir(parents=True, exist_ok=True)
    for number in range(1, lesson.N_STEPS + 1):
        wait_for_step(driver, number)
        time.sleep(0.4)  # plotly's last frame, for the picture (a test reads the state shown)
        driver.save_screenshot(str(shots / f"step-{number:02d}.png"))
        if number < lesson.N_STEPS:
            driver.find_element("id", "lesson-next").click()


def main() -> None:
    from devtools.local_app import app_env, gunicorn, headless_chromium

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--present", action="store_true", help="in presentation mode")
    parser.add_argument("--out", type=Path, default=SHOTS)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with gunicorn(app_env(Path(tmp) / "cache"), Path(tmp) / "gunicorn.log", workers=1) as url:
            with headless_chromium("1280,720") as driver:
                set_viewport(driver, 1280, 720)
                walk(driver, url, arguments.out, arguments.present)
    print(f"{lesson.N_STEPS} screenshots in {arguments.out}")


if __name__ == "__main__":
    main()
