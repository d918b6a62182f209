"""Browser sections: latencies a person feels, measured in headless Chromium
against the real app served by gunicorn (2 workers, no Redis: background jobs
run through Dash's DiskcacheManager in a temporary CACHE_DIR).

Every section starts its own server and browser and stops them at the end.
Times are taken inside the page with ``performance.now()`` (event listeners,
a MutationObserver and plotly's ``plotly_afterplot`` event), so the Selenium
round trips do not enter the measurements.

Sections: ``cut_latency``, ``deep_cuts``, ``first_render``, ``upload_50k``, ``diagnostics_x2``.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from devtools.chromium_trace import chromium_trace, main_thread_tasks
from devtools.local_app import app_env, choose_option, click_centred, gunicorn, headless_chromium

from .common import Table, verdict


def _script(name: str) -> str:
    """A script the page runs, kept as a .js file in browser_js/ next to this module."""
    return "\n" + (Path(__file__).with_name("browser_js") / name).read_text(encoding="utf-8")


GRAPH = "document.querySelector('#{id} .js-plotly-plot')"
CUT_TARGET_MS = 100
FOLLOW_TARGET_MS = 50  # issue 17 §2: the colours follow the pointer within a frame or so
LONG_TASK_TARGET_MS = 200  # issue 12 §5: no main-thread task longer than this
FIRST_RENDER_TARGET_S = 2.0
UPLOAD_TARGET_S = 20.0
DIAGNOSTICS_TARGET_S = 1.0


# ---------------------------------------------------------------- server and browser


@contextlib.contextmanager
def served_app(root: Path | None = None):
    """gunicorn -w 2 on a free loopback port with a temporary CACHE_DIR; yields the URL.

    `root`: the source tree to serve (another commit's, for a side-by-side run); this one by default.
    """
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
        served = {} if root is None else {"root": root}
        with gunicorn(app_env(Path(tmp) / "cache"), Path(tmp) / "gunicorn.log", **served) as url:
            yield url


chromium = headless_chromium


@contextlib.contextmanager
def page(root: Path | None = None):
    """A served app and a browser showing its freshly loaded page (the default tutorial)."""
    with served_app(root) as url, chromium() as driver:
        driver.get(url)
        wait(driver, lambda d: "0.980" in text(d, "cophenetic"), "the default page", 90)
        wait(
            driver,
            lambda d: graph_js(
                d,
                "dendrogram",
                "return !!(gd && gd._fullLayout && gd._fullLayout.shapes && gd._fullLayout.shapes.length);",
            ),
            "the dendrogram with its cut line",
            30,
        )
        # dropdowns are loaded lazily (dcc's async chunks): wait until they exist
        wait(
            driver,
            lambda d: d.execute_script("return !!document.getElementById('dataset')"),
            "the dataset dropdown",
            30,
        )
        yield driver


# ---------------------------------------------------------------- page helpers


def wait(driver, condition, what, timeout=60.0, poll=0.05):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition(driver):
                return
        except Exception:  # the element may be re-rendered under us
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        time.sleep(poll)


def text(driver, element_id):
    return driver.find_element("id", element_id).text


def graph_js(driver, graph_id, body, *args):
    return driver.execute_script(f"const gd = {GRAPH.format(id=graph_id)}; {body}", *args)


click = click_centred
choose = choose_option


def type_into(driver, element_id, value):
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element("id", element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    box.send_keys(str(value))


def input_value(driver, element_id):
    return driver.find_element("id", element_id).get_attribute("value")


def generate_moons(driver, n):
    """Choose 'Generate: two moons', type n points, press Generate (the click time is recorded in-page)."""
    if "two moons" not in driver.find_element("id", "dataset").text:
        choose(driver, "dataset", "Generate: two moons")
        wait(
            driver,
            lambda d: d.find_element("id", "gen-n").is_displayed(),
            "the generator options",
            10,
        )
    type_into(driver, "gen-n", n)
    wait(driver, lambda d: input_value(d, "gen-n") == str(n), "the typed size", 5)


def percentile(values, q):
    return float(np.percentile(np.asarray(values, dtype=float), q))


# Records the end of linkage (the status line saying `merges`) and every dendrogram
# afterplot with its title; t0 = the first click on `start_selector` (or a change of it).
RENDER_RECORDER = _script("render_recorder.js")


def render_times(driver, method="ward"):
    """(status time - t0, first dendrogram afterplot after it - status, title) in seconds."""
    B = driver.execute_script(
        "const B = window.__render; return {t0: B.t0, status: B.status, statusText: B.statusText, plots: B.plots,"
        "requests: performance.getEntriesByType('resource').filter(e => "
        "e.name.includes('_dash-update-component') && e.startTime >= B.status)"
        ".map(e => [e.startTime - B.status, e.responseEnd - B.status])};"
    )
    after = [(t, title) for t, title in B["plots"] if t >= B["status"] and method in title]
    if not after:
        return None
    t_plot, title = after[0]
    render = t_plot - B["status"]
    responses = max((end for _, end in B["requests"] if end <= render), default=0.0)
    print(
        "    requests after the status (ms from it): "
        f"{[(round(a), round(b)) for a, b in B['requests'] if a <= render]}; afterplot at "
        f"{render:.0f}",
        file=sys.stderr,
        flush=True,
    )
    return (
        (B["status"] - B["t0"]) / 1e3,
        render / 1e3,
        (t_plot - B["t0"]) / 1e3,
        title,
        responses / 1e3,
    )


def wait_rendered(driver, timeout):
    wait(
        driver,
        lambda d: d.execute_script(
            "const B = window.__render; return B.status !== null && B.plots.some(p => p[0] >= B.status);"
        ),
        "the status and a dendrogram render",
        timeout,
        0.1,
    )
    time.sleep(0.3)


def samples_in_dendrogram(driver):
    """Samples under the drawn tree's root: the largest merge size among its merges (Z[i, 3]).

    (The leaf labels no longer say it: the server thins them to every k-th, leaving ''.)
    """
    size = graph_js(
        driver,
        "dendrogram",
        "const t = gd._fullData.find(t => t.name === 'merges');"
        "if (!t || !t.customdata) return null;"
        "let most = 0; for (let i = 0; i < t._length; i++) most = Math.max(most, Number(t.customdata[i][3]));"
        "return most;",
    )
    return int(size) if size else None


# ---------------------------------------------------------------- cut_latency

CUT_RECORDER = _script("cut_recorder.js")

CUT_READ = _script("cut_read.js")

SCATTER_STATE = """
const gd = document.querySelector('#scatter .js-plotly-plot');
const colours = [];
for (const t of gd._fullData) for (let j = 0; j < t._length; j++) colours[t.customdata[j]] = t.marker.color;
return new Set(colours).size + '|' + colours.slice(0, 50).join(',') + '|' + colours.length;
"""


def merge_heights(driver):
    """Heights of the merges the (truncated) dendrogram draws, highest first."""
    ys = graph_js(
        driver,
        "dendrogram",
        "const t = gd._fullData.find(t => t.name === 'merges'); return Array.from(t.y);",
    )
    return sorted(set(float(y) for y in ys), reverse=True)


def page_y(driver, height):
    return graph_js(
        driver,
        "dendrogram",
        "const l = gd._fullLayout; return gd.getBoundingClientRect().top + l._size.t + l.yaxis.l2p(arguments[0]);",
        height,
    )


def drag_cut_to(driver, height):
    from selenium.webdriver.common.action_chains import ActionChains

    paths = driver.find_elements("css selector", "#dendrogram .shapelayer path")
    handle = paths[1]  # the visible line, then its (invisible) drag handle
    rect = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.width, r.height];",
        handle,
    )
    dy = page_y(driver, height) - (rect[1] + rect[3] / 2)
    actions = ActionChains(driver, duration=20).move_to_element(handle).click_and_hold()
    moved = 0
    for step in range(1, 6):
        target = round(dy * step / 5)
        actions.move_by_offset(0, target - moved)
        moved = target
    actions.release().perform()


# True while the Dash renderer has any callback requested, running or waiting.
PENDING_CALLBACKS = (
    "Object.values(window.store.getState().callbacks || {}).some(v => Array.isArray(v) && v.length)"
)


def _quiet(driver, seconds=0.5, timeout=20):
    """Wait until every callback has answered and no afterplot has fired for `seconds`."""

    def settled(d):
        last = d.execute_script(
            "const B = window.__cut; const all = B.after.dendrogram.concat(B.after.scatter);"
            "const pending = " + PENDING_CALLBACKS + ";"
            "return [performance.now(), all.length ? Math.max(...all) : B.mouseup, pending];"
        )
        return not last[2] and last[0] - last[1] > seconds * 1e3

    wait(driver, settled, "the page to settle", timeout, 0.1)


def _trees_side_by_side(stack: contextlib.ExitStack, baseline: str | None) -> list:
    """[(name, source root)]: this tree (None: served from here), and `baseline`'s, a
    ``git archive`` of that commit in a folder `stack` removes, when one is named."""
    trees = [("this tree", None)]
    if baseline:
        from .page_load import export_commit

        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-baseline-")))
        trees.append((f"baseline {baseline}", export_commit(baseline, folder)))
    return trees


# Chromium's trace categories for CUT_LATENCY_TRACE: frames, paint, layerizing, raster, drawing.
TRACE_CATEGORIES = (
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.frame",
    "cc",
    "viz",
    "benchmark",
)


def drag_frames(events) -> list[tuple[float, float, float]]:
    """Per main frame of the page that ran assets/cut_recolour.js: (its CPU ms, of which ours,
    of which Layerize), from a trace's events (thread time, ``tdur``)."""
    main = [e for e in events if e.get("name") == "FireAnimationFrame"]
    if not main:
        return []
    tid = max({e["tid"] for e in main}, key=lambda t: sum(e["tid"] == t for e in main))
    thread = sorted(
        (e for e in events if e.get("tid") == tid and e.get("ph") == "X" and "ts" in e),
        key=lambda e: e["ts"],
    )
    frames = []
    for frame in (e for e in thread if e["name"] == "ProxyMain::BeginMainFrame"):
        inside = [e for e in thread if frame["ts"] <= e["ts"] <= frame["ts"] + frame["dur"]]
        ours = [
            e
            for e in inside
            if e["name"] == "FunctionCall"
            and "cut_recolour" in e.get("args", {}).get("data", {}).get("url", "")
        ]
        if ours:
            frames.append(
                tuple(
                    sum(e.get("tdur", e["dur"]) for e in group) / 1e3
                    for group in ([frame], ours, [e for e in inside if e["name"] == "Layerize"])
                )
            )
    return frames


def _cut_setup(driver, n):
    """Generate n two-moons samples; returns the drawn merge heights (highest first), the two
    drag targets and their gaps' indices."""
    generate_moons(driver, n)
    click(driver, "#generate")
    wait(
        driver,
        lambda d: f"{n - 1:,} merges" in text(d, "clustering-status"),
        f"{n - 1:,} merges",
        180,
        0.2,
    )
    wait(
        driver,
        lambda d: samples_in_dendrogram(d) == n,
        f"the dendrogram of {n:,} samples",
        60,
        0.2,
    )
    time.sleep(1.0)
    heights = merge_heights(driver)[:12]
    gaps = sorted(((heights[i] - heights[i + 1], i) for i in range(len(heights) - 1)), reverse=True)
    (_, i1), (_, i2) = gaps[0], gaps[1]
    targets = [
        (heights[i2] + heights[i2 + 1]) / 2,
        (heights[i1] + heights[i1 + 1]) / 2,
    ]  # start away from the default cut
    return heights, targets, (i1, i2)


def _cut_drag(driver, label, i, target, heights) -> dict:
    """One drag of the cut line to `target`, measured (see cut_latency's notes)."""
    before_state = driver.execute_script(SCATTER_STATE)
    before_k, before_h = input_value(driver, "n-clusters"), input_value(driver, "cut-height")
    driver.execute_script(CUT_RECORDER)
    armed = driver.execute_script("return performance.now();")
    drag_cut_to(driver, target)
    wait(
        driver,
        lambda d: d.execute_script("return window.__cut.mouseup !== null;"),
        "the mouseup",
        10,
    )
    wait(
        driver,
        lambda d: (
            input_value(d, "n-clusters") != before_k
            and d.execute_script(SCATTER_STATE) != before_state
        ),
        f"drag {i + 1}: k and the scatter colours to change",
        20,
        0.05,
    )
    _quiet(driver)
    r = driver.execute_script(CUT_READ)
    timed = driver.execute_script(
        "return (window.hclustRecolour && window.hclustRecolour.frames || [])"
        ".filter(f => f[0] >= arguments[0]);",
        armed,
    )
    # assets/cut_recolour.js's warm-ups (idle time after a plot is drawn) since the drag began
    warms = driver.execute_script(
        "return (window.hclustRecolour && window.hclustRecolour.warms || [])"
        ".filter(f => f[0] >= arguments[0]);",
        armed,
    )
    out = {"work": max((d for _, d in timed), default=0.0), "follow": None, "part": None}
    # the first paint of each plot that shows its final colours (what the eye sees settle);
    # 0 when it already showed them as the button was released
    final = {
        g: r["shown"][g][-1] if r["shown"][g] else r["at_mouseup"][g]
        for g in ("dendrogram", "scatter")
    }
    shown_at = []
    for g in final:
        if r["at_mouseup"][g] == final[g]:
            shown_at.append(0.0)
        else:
            shown_at.append(next(t for t, seen in zip(r[g], r["shown"][g]) if seen == final[g]))
    out["latency"] = max(shown_at)

    # while dragging: from the first pointer move past the new cut's merge to both plots showing its colours
    def k_at(h):
        return 1 + sum(m > h for m in heights)

    crossing = next((t for t, h in r["moves"] if k_at(h) == k_at(target)), None)
    if crossing is not None:
        follow = []
        for g in final:
            frames = [(t, seen) for t, seen in r["dragging"][g] if t >= crossing] + list(
                zip(r[g], r["shown"][g])
            )
            follow.append(next((t for t, seen in frames if seen == final[g]), 0.0) - crossing)
        out["follow"] = max(follow)
        # where that time went: the first frame after the crossing that recoloured
        # (its own work over 1 ms; moving the line alone takes well under)
        drawn = next(
            ((t - r["mouseup"], d) for t, d in timed if t - r["mouseup"] >= crossing and d > 1),
            None,
        )
        if drawn is not None:
            out["part"] = (
                drawn[0] - crossing,
                drawn[1],
                crossing + out["follow"] - drawn[0] - drawn[1],
            )
    out["settled"] = max(r["dendrogram"] + r["scatter"] + [0.0])
    out["longest"] = max((d for _, d in r["long"]), default=0.0)
    out["before_answer"] = r["first_response"] is None or out["latency"] < r["first_response"]
    out["counts"] = (len(r["dendrogram"]), len(r["scatter"]), len(r["requests"]))
    after_state = driver.execute_script(SCATTER_STATE)
    out["changed"] = (
        after_state.split("|")[0] != before_state.split("|")[0]
        or input_value(driver, "cut-height") != before_h
    )
    follow_text = f"{out['follow']:.0f}" if out["follow"] is not None else "nan"
    print(
        f"  {label} drag {i + 1}: k {before_k} -> {input_value(driver, 'n-clusters')}, "
        f"{out['latency']:.0f} ms (settled {out['settled']:.0f} ms; "
        f"pointer past the merge -> shown {follow_text} ms; frame work {out['work']:.0f} ms) "
        f"(afterplots d/s {len(r['dendrogram'])}/{len(r['scatter'])}, requests "
        f"{[(round(a), round(b)) for a, b, _ in r['requests']]}, "
        f"afterplots d {[round(t) for t in r['dendrogram']]} s "
        f"{[round(t) for t in r['scatter']]}, relayout "
        f"{[round(t) for t in r['relayout']]}, "
        f"long tasks {[(round(a), round(b)) for a, b in r['long']]}, "
        f"warm-ups {[(round(a - r['mouseup']), round(b)) for a, b in warms]})",
        file=sys.stderr,
        flush=True,
    )
    return out


def cut_latency(quick: bool = False) -> list[Table]:
    """Drag the cut line at 10,000 samples; see the table's notes.

    With ``CUT_LATENCY_BASELINE=<commit>`` in the environment, that commit's tree (a
    ``git archive`` of it) is served and driven side by side with this one, by this
    module's own measurement: a browser each, their drags interleaved (this tree first on
    even drags, the baseline first on odd ones), so that both meet the same machine load.
    With ``CUT_LATENCY_TRACE=<file>``, this tree's browser records a Chromium trace of its
    drags (through its DevTools socket, devtools/chromium_trace.py), written to that file (chrome://tracing or
    Perfetto read it), and the notes say how many of the drag's frames re-layerized.
    """
    n, drags = (2_000, 5) if quick else (10_000, 20)
    rows, notes = [], []
    baseline = os.environ.get("CUT_LATENCY_BASELINE")
    with contextlib.ExitStack() as stack:
        trees = _trees_side_by_side(stack, baseline)
        # CUT_LATENCY_TRACE=<file>: this tree's browser records a Chromium trace of its drags there
        tracing = os.environ.get("CUT_LATENCY_TRACE")
        load_start = os.getloadavg()[0]
        drivers = [stack.enter_context(page(root)) for _, root in trees]
        setups = [_cut_setup(driver, n) for driver in drivers]
        heights, targets, (i1, i2) = setups[0]
        print(
            f"  cut_latency n={n}: alternating cut heights {targets[0]:.4g} (k={i2 + 2}) and "
            f"{targets[1]:.4g} (k={i1 + 2}); trees: {', '.join(label for label, _ in trees)}",
            file=sys.stderr,
            flush=True,
        )
        results = [[] for _ in trees]
        traced = []
        for i in range(drags):
            order = list(range(len(trees)))
            for t in order if i % 2 == 0 else order[::-1]:
                tree_heights, tree_targets, _ = setups[t]
                tracer = (
                    chromium_trace(drivers[t], TRACE_CATEGORIES)
                    if tracing and t == 0
                    else contextlib.nullcontext([])
                )
                with tracer as events:
                    results[t].append(
                        _cut_drag(drivers[t], trees[t][0], i, tree_targets[i % 2], tree_heights)
                    )
                traced += events
        load = f"{load_start:.1f} → {os.getloadavg()[0]:.1f}"
    if tracing:
        import json

        Path(tracing).write_text(json.dumps({"traceEvents": traced}), encoding="utf-8")
        frames = drag_frames(traced)
        layerized = [f for f in frames if f[2] > 1]
        painting = [f for f in frames if f[1] > 1]
        notes.append(
            f"Trace of this tree's drags ({tracing}, {len(traced):,} events): {len(frames)} main "
            f"frames ran the drag's code, {len(layerized)} of them re-layerized over 1 ms of CPU"
            + (
                f" (median {statistics.median(f[2] for f in layerized):.0f} ms)"
                if layerized
                else ""
            )
            + f"; of the {len(painting)} that painted (our work over 1 ms), "
            f"{sum(f[2] > 1 for f in painting)} re-layerized. (Each drag's mousedown and drop "
            "hide or show plotly's line and legend lines: the frames after them re-layerize.)"
        )
    all_counts = []
    for (label, _), done in zip(trees, results):
        latencies = [d["latency"] for d in done]
        settles = [d["settled"] for d in done]
        follows = [d["follow"] for d in done if d["follow"] is not None]
        work = [d["work"] for d in done]
        med, p95 = statistics.median(latencies), percentile(latencies, 95)
        rows.append(
            [
                label,
                f"{n:,}",
                drags,
                f"{sum(d['changed'] for d in done)}/{drags}",
                f"{med:.0f}",
                f"{p95:.0f}",
                f"{max(latencies):.0f}",
                f"{sum(d['before_answer'] for d in done)}/{drags}",
                f"{statistics.median(settles):.0f}",
                f"{percentile(settles, 95):.0f}",
                f"{statistics.median(follows):.0f} / {percentile(follows, 95):.0f} ({len(follows)})"
                if follows
                else "–",
                f"{statistics.median(work):.0f} / {percentile(work, 95):.0f}",
                load,
                f"{max(d['longest'] for d in done):.0f}",
                f"{p95 / CUT_TARGET_MS:.2f}",
                verdict(p95 <= CUT_TARGET_MS),
            ]
        )
        parts = [d["part"] for d in done if d["part"] is not None]
        if parts:
            waits, works, rests = zip(*parts)
            notes.append(
                f"{label}: where 'while dragging' went ({len(parts)} drags), median / p95 ms: from the "
                f"crossing mousemove to the start of the animation frame that recoloured "
                f"{statistics.median(waits):.0f} / {percentile(waits, 95):.0f}; that frame's own work "
                f"{statistics.median(works):.0f} / {percentile(works, 95):.0f}; from its end to the "
                f"next frame that shows it {statistics.median(rests):.0f} / {percentile(rests, 95):.0f} "
                "(the browser's style, paint, layerizing, raster and compositing, and the wait for that "
                "frame)."
            )
        all_counts += [d["counts"] for d in done]
    d_counts = sorted({c[0] for c in all_counts})
    s_counts = sorted({c[1] for c in all_counts})
    q_counts = sorted({c[2] for c in all_counts})
    notes += [
        "Latency = from the drag's mouseup to the later of the first plotly_afterplot on "
        "#dendrogram and on #scatter that shows the plot's "
        "final colours (0 when it already showed them at the release: both plots follow the "
        "line while it is dragged, assets/cut_recolour.js), timed at the next animation frame "
        "after it (when the browser can paint it; performance.now() in the page; each "
        "afterplot records a hash of the scatter's point colours and the dendrogram's "
        "link colours and sizes; 'final' = after 0.5 s without another afterplot). 'before any "
        "answer' counts drags whose colours were "
        "shown before the first _dash-update-component response arrived: recoloured in the "
        "browser (assets/cut_recolour.js).",
        "'settled' = the last afterplot of either plot: the server's answer redraws both plots "
        "in the same colours (and updates the inputs, "
        "the summary and the k plots); it is shown for completeness, not as the latency.",
        "'while dragging' = from the first mousemove whose pointer height lies past the new "
        "cut's merge (its event time) to the first "
        "animation frame after an afterplot of each plot with its final colours, the later of "
        "the two; median / p95 (drags measured). "
        "It is how closely the colours follow the line, and includes up to one frame of "
        "waiting for the next animation frame. "
        "While dragging, assets/cut_recolour.js draws each plot's new colours into a 2D "
        "canvas over the plot (plotly's WebGL canvas, or SVG traces, hidden under it until "
        "plotly draws again: the server's answer) and records what it drew (no afterplot); "
        "the bench keeps that record and hashes it after the drag (hashing 10,000 colours "
        "in the paint's own event was timed as the page's frame work, ~3 ms a frame). "
        "A frame that crosses a merge repaints only the squares of the scatter where samples "
        "changed colour (cut_core.repaintChanged). The release tells Dash where the line is "
        "(dash_clientside.set_props of the cut-drag store: the dendrogram's relayoutData is "
        "plotly's, and a zoom right after the drop wrote it before Dash read the drop's), "
        "without Plotly.relayout, which replotted the dendrogram twice (plotly, then "
        "dcc.Graph's figure sync). "
        f"Target: p95 ≤ {FOLLOW_TARGET_MS} ms.",
        "The first drag on a new figure: a CPU profile (CDP Profiler) of the first drags at "
        "10,000 samples put 0.3-1.1 s (load 12) in its mousedown, with the pointer's moves "
        "waiting behind it: the live canvas's 2D context (180 ms), the squares each sample "
        "draws into (160 ms), a first full paint of the scatter (170 ms), the markers, the "
        "dendrogram's fixed layers and the samples' pixels; then 130 ms in the frame that "
        "first crossed a merge, in code not yet compiled (the repaint of the changed squares). "
        "assets/cut_recolour.js's warm() now makes all of it in idle time "
        "(requestIdleCallback) after plotly draws either plot, and paints each plot's live "
        "canvas, hidden, with the cut it shows, once per page first with a cut one merge "
        "higher (so the crossing's code is compiled): a mousedown only shows the canvases "
        "(41 ms in the same profile). In 4 runs beside ea839c5 (load 6-9), the first two "
        "drags' pointer → shown took 34-66 ms (one 218) against 122-254 ms, their frame's "
        "work 18-26 ms (44-47 before the crossing was compiled ahead) against 44-119; each "
        "warm-up took 16-45 ms, after the server's answer had settled.",
        "A Chromium trace of drags at 10,000 samples (chromedriver's performance log with "
        "trace categories devtools.timeline, disabled-by-default-devtools.timeline(.frame), "
        "cc, viz, benchmark; load 10-12) showed where the time after our frame went: not "
        "raster (0-5 tiles of 1-4 ms) nor drawing (software compositing, 2-13 ms a frame), "
        "but 'Layerize', Chromium rebuilding the page's composited layers from all its paint "
        "chunks (the page is many SVG plots): 20-35 ms of CPU (13-500 ms of wall time) in "
        "every frame of the drag. Every frame did it because every frame moved plotly's SVG "
        "line; a frame that crossed a merge also rewrote the legends' SVG text and showed the "
        "overlays. Moving an element by a CSS transform, even on a layer of its own "
        "(will-change: transform), still re-layerizes (Chromium 156 made no direct update; "
        "also on a plain page of 3,000 SVG groups: 2.2 ms against 0.0), and so does new SVG "
        "text (4.3 ms there); new pixels in a canvas do not (0.0 ms). So while the line is "
        "dragged, assets/cut_recolour.js draws the line into a canvas of its own (plotly's "
        "line hidden until the drop), shows the plots' live canvases at the mousedown "
        "(painted ahead: the note on the first drag), and draws the legends' lines into "
        "small canvases (their SVG lines hidden "
        "until the drop): a drag's frames change only canvases' pixels, and the trace shows "
        "no Layerize in them (9-16 ms of CPU for a crossing frame's own work, then commit and "
        "draw). Chromium dispatches mousemove aligned to the frame (in the same BeginMainFrame, "
        "just before the animation frame callbacks), so drawing in the event itself would gain "
        "nothing. The 'shown' mark (the next animation frame after the paint) is not late but "
        "early: in the traces it came before the display's swap of that frame in 12 of 17 "
        "crossings (4 of 5 with this tree's drag, by 0.2-37 ms at load 10), as the next main "
        "frame starts once the painted one is committed, while the compositor still draws it; "
        "so pointer → shown is a lower bound of pointer → on screen (the trace's swap times "
        "would be the exact mark).",
        "With CUT_LATENCY_BASELINE=<commit>, a git archive of that commit is served beside "
        "this tree and measured by this module: a browser each, the drags interleaved (this "
        "tree first on even drags, the baseline first on odd ones), one row per tree.",
        "'frame work' = per drag, the longest of its animation frames' own work in the page "
        "(recolouring both plots and moving the line; performance.now() around it, "
        "window.hclustRecolour.frames): median / p95 over the drags. The rest of "
        "'while dragging' is the browser's own: waiting for the frame, style, layout, "
        "painting and compositing the page (software rendering: headless Chromium here has "
        "no GPU), and any task that was running when the pointer moved.",
        "'load' = the machine's 1-minute load average at the start and the end of the "
        "section (2 cores shared with other test runs; above 2 every time here includes "
        "waiting for a core).",
        "'longest task' = the longest main-thread task (PerformanceObserver 'longtask', over "
        "50 ms) from the mousedown until the page settled, over all drags; "
        f"target ≤ {LONG_TASK_TARGET_MS} ms.",
        "Drags alternate between the midpoints of the two largest gaps among the drawn merges "
        f"(k = {i2 + 2} and k = {i1 + 2}); "
        "'changed' counts drags after which the scatter's distinct colours or the cut height changed.",
        f"Afterplots per drag on dendrogram/scatter: {d_counts}/{s_counts}; callback requests per drag: {q_counts} "
        "(the server's answers after the browser's recolour).",
        "Data: 'Generate: two moons' (noise 0.06, seed 4711), ward, truncated dendrogram (the "
        "page's default); gunicorn -w 2, headless Chromium.",
    ]
    table = Table(
        "Cut drag: mouse release to both plots recoloured (headless Chromium, gunicorn -w 2)",
        [
            "tree",
            "n",
            "drags",
            "changed",
            "median ms",
            "p95 ms",
            "max ms",
            "before any answer",
            "settled median ms",
            "settled p95 ms",
            "while dragging: pointer → shown, median / p95 ms",
            "frame work median / p95 ms",
            "load",
            "longest task ms",
            f"p95 / {CUT_TARGET_MS} ms",
            f"p95 ≤ {CUT_TARGET_MS} ms",
        ],
        rows,
        notes,
    )
    return [table]


# ---------------------------------------------------------------- deep_cuts

# Every main-thread task over 50 ms from now on, as [start, duration] (ms).
DEEP_LONG = """
window.__deep = [];
if (!window.__deepObserver) {
  window.__deepObserver = new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (window.__deep) window.__deep.push([e.startTime, e.duration]);
  });
  window.__deepObserver.observe({entryTypes: ['longtask']});
}
// every figure redraw as it ran, [start, ms, graph]: assets/redraw_queue.js records them
// (window.hclustRedraws); a page without it gets Plotly.react wrapped here
if (!window.hclustRedraws) {
  const react = window.Plotly.react, redraws = window.hclustRedraws = [];
  window.Plotly.react = function (gd) {
    const start = performance.now();
    try { return react.apply(this, arguments); }
    finally { redraws.push([start, performance.now() - start, gd && gd.parentNode ? gd.parentNode.id : null]); }
  };
}
window.hclustRedraws.length = 0;
return performance.now();
"""


def _redraws_per_task(tasks, redraws):
    """For each long task (start, ms), the plots whose redraw ran inside it."""
    return [
        sorted(str(id_) for at, _, id_ in redraws if start <= at <= start + ms)
        for start, ms in tasks
    ]


X2_OPTION = "Tutorial: 5 blobs of growing variance, X2"


def _type_k(driver, k):
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element("id", "n-clusters")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(k), Keys.ENTER)


def browser_cpu(driver) -> dict:
    """CPU seconds so far of the page's renderer main thread ('main') and of Chromium's GPU
    process ('gpu': software WebGL draws there). Unlike a task's length, they do not grow
    while the machine's other processes hold the cores."""
    import psutil

    found = {"main": 0.0, "gpu": 0.0}
    for process in psutil.Process(driver.service.process.pid).children(recursive=True):
        try:
            command = " ".join(process.cmdline())
            if "--type=gpu-process" in command:
                times = process.cpu_times()
                found["gpu"] += times.user + times.system
            elif "--type=renderer" in command:
                main = next(t for t in process.threads() if t.id == process.pid)
                found["main"] += main.user_time + main.system_time
        except (psutil.Error, StopIteration):
            continue
    return found


def _deep_settled(driver, since, quiet_ms=1500):
    """No callback pending, and no long task in the last `quiet_ms`, `quiet_ms` after `since`."""
    now, pending, last = driver.execute_script(
        "return [performance.now(), " + PENDING_CALLBACKS + ","
        " Math.max(0, ...window.__deep.map(t => t[0] + t[1]))];"
    )
    return not pending and now - max(last, since) > quiet_ms


# DEEP_CUTS_PROFILE=1: Chromium's JS sampling profiler runs around each typed k, and each task
# over the goal is printed with where its time went (issue 12 §5). A short busy loop named
# __calibrate__ ties the profile's clock to performance.now(), the clock of the long tasks
# (60 ms: on a busy machine the sampling thread can miss a shorter one).
CALIBRATE = """
function __calibrate__() { const t = performance.now(); while (performance.now() < t + 60) {} return t; }
return __calibrate__();
"""


def _file_of(frame) -> str:
    """A profile frame's script, without its path and Dash's version stamp, or the native part
    Chromium names it by: '(program)' is work outside JavaScript (style, layout, the compositor
    waiting for WebGL), '(garbage collector)' V8's."""
    url = frame["url"].rsplit("/", 1)[-1].split("?")[0]
    return url.split(".v")[0] if url else frame["functionName"]


def profile_of_tasks(profile, tasks, calibrated_at, least_ms=LONG_TASK_TARGET_MS, top=6):
    """Where the time of each task over `least_ms` went, from a CDP ``Profiler.stop`` profile.

    Parameters
    ----------
    profile : dict
        The profile (``nodes``, ``samples``, ``timeDeltas`` and ``startTime`` in µs).
    tasks : list of (start, ms)
        Long tasks in ``performance.now()`` time.
    calibrated_at : float
        ``performance.now()`` when a function named ``__calibrate__`` began (its first sample).

    Returns
    -------
    list of dict or None
        Per task: ``start``, ``ms``, ``by_file`` (self ms per script or native part),
        ``inclusive`` (the `top` frames with the most time under them) and ``by_function``
        (the `top` frames by their own time, with their column: plotly is minified), largest
        first.
        None when no sample fell in the calibration.
    """
    nodes = {node["id"]: node for node in profile["nodes"]}
    parent = {child: node["id"] for node in profile["nodes"] for child in node.get("children", ())}
    times, t = [], profile["startTime"]
    for delta in profile["timeDeltas"]:
        t += delta
        times.append(t)

    def stack(node_id):
        frames = []
        while node_id is not None:
            frames.append(nodes[node_id]["callFrame"])
            node_id = parent.get(node_id)
        return frames

    def frame_name(frame):
        return f"{frame['functionName'] or '(anonymous)'} {_file_of(frame)}:{frame['lineNumber']}"

    samples = profile["samples"]
    calibration = next(
        (
            at
            for node, at in zip(samples, times)
            if any(f["functionName"] == "__calibrate__" for f in stack(node))
        ),
        None,
    )
    if calibration is None:
        return None
    offset = calibration / 1e3 - calibrated_at  # profile ms - performance.now() ms
    found = []
    for start, ms in tasks:
        if ms < least_ms:
            continue
        low, high = (start + offset) * 1e3, (start + ms + offset) * 1e3
        by_file, inclusive, by_function = {}, {}, {}
        for i, (node, at) in enumerate(zip(samples, times)):
            if not low <= at < high or i + 1 == len(times):
                continue
            weight = (times[i + 1] - at) / 1e3
            frames = stack(node)
            by_file[_file_of(frames[0])] = by_file.get(_file_of(frames[0]), 0) + weight
            own = f"{frame_name(frames[0])}:{frames[0]['columnNumber']}"
            by_function[own] = by_function.get(own, 0) + weight
            for name in {frame_name(f) for f in frames if f["functionName"] != "(root)"}:
                inclusive[name] = inclusive.get(name, 0) + weight
        found.append(
            {
                "start": start,
                "ms": ms,
                "by_file": sorted(by_file.items(), key=lambda kv: -kv[1]),
                "inclusive": sorted(inclusive.items(), key=lambda kv: -kv[1])[:top],
                "by_function": sorted(by_function.items(), key=lambda kv: -kv[1])[:top],
            }
        )
    return found


def _print_profile(name, k, since, found):
    if found is None:
        print(f"  deep_cuts {name} k={k:,}: the profile missed the calibration", file=sys.stderr)
    for task in found or ():
        files = ", ".join(f"{f} {ms:.0f}" for f, ms in task["by_file"][:6])
        print(
            f"  deep_cuts {name} k={k:,}: task of {task['ms']:.0f} ms at "
            f"+{task['start'] - since:.0f} ms; self ms by script: {files}",
            file=sys.stderr,
        )
        for frame, ms in task["inclusive"]:
            print(f"      {ms:6.0f} ms under {frame}", file=sys.stderr)
        for frame, ms in task["by_function"]:
            print(f"      {ms:6.0f} ms in {frame}", file=sys.stderr)


# The server's answers since `since` (performance.now() ms): [bytes, ms] of each callback
# request's body, from the page's resource timing (answers are sent uncompressed).
ANSWERS_SINCE = """
return performance.getEntriesByType('resource')
  .filter(e => e.name.indexOf('_dash-update-component') >= 0 && e.startTime >= arguments[0])
  .map(e => [e.decodedBodySize || e.encodedBodySize || 0, e.duration]);
"""


def _open_case(driver, name, n):
    """Load a case's data in a page and wait until it has settled."""
    if name == "5 blobs":
        choose(driver, "dataset", X2_OPTION)
    else:
        generate_moons(driver, n)
        click(driver, "#generate")
    wait(
        driver,
        lambda d, n=n: f"{n - 1:,} merges" in text(d, "clustering-status"),
        f"{n - 1:,} merges",
        300,
        0.2,
    )
    driver.execute_script(DEEP_LONG)
    driver.execute_script("performance.setResourceTimingBufferSize(5000);")
    wait(driver, lambda d: _deep_settled(d, 0), "the page to settle", 120, 0.2)


def _deep_cut(driver, tree, name, n, k, profiling) -> list:
    """Type k in a page showing the case's data; the table's row for it."""
    since = driver.execute_script(DEEP_LONG)
    cpu_before = browser_cpu(driver)
    if profiling:
        driver.execute_cdp_cmd("Profiler.start", {})
        # a new source each time: V8 reuses the code of a script run before, with
        # __calibrate__ inlined into its caller and so missing from the profile
        calibrated_at = driver.execute_script(f"// {tree} {name} k={k}{CALIBRATE}")
    # the trace gives each task's thread time: the page's own work, without the wait for a core
    with chromium_trace(driver) as events:
        _type_k(driver, k)
        wait(
            driver,
            lambda d: any(
                f"{words} {k} clusters" in text(d, "cut-status")
                for words in ("gives", "exactly")  # (or: no cut gives exactly k)
            ),
            f"k = {k}",
            180,
            0.2,
        )
        wait(driver, lambda d: _deep_settled(d, since), "the page to settle", 180)
    traced = main_thread_tasks(events)
    if not traced:  # an empty trace must not pass for a page without long tasks
        raise RuntimeError(f"deep_cuts {tree} k={k}: the trace holds no task of the page")
    own = max(task.thread_ms for task in traced)
    cpu = {part: seconds - cpu_before[part] for part, seconds in browser_cpu(driver).items()}
    tasks, redraws = driver.execute_script("return [window.__deep, window.hclustRedraws];")
    answers = driver.execute_script(ANSWERS_SINCE, since)
    if profiling:
        profile = driver.execute_cdp_cmd("Profiler.stop", {})["profile"]
        _print_profile(name, k, since, profile_of_tasks(profile, tasks, calibrated_at))
    held = _redraws_per_task(tasks, redraws)
    tasks = [(a - since, b) for a, b in tasks]
    longest = max((b for _, b in tasks), default=0.0)
    in_longest = held[max(range(len(tasks)), key=lambda i: tasks[i][1])] if tasks else []
    most = max((len(h) for h in held), default=0)
    over = [b for _, b in tasks if b > LONG_TASK_TARGET_MS]
    load = os.getloadavg()[0]
    print(
        f"  deep_cuts {tree} {name} n={n:,} k={k:,}: longest task {longest:.0f} ms, "
        f"longest in thread time {own:.0f} ms, "
        f"tasks (start, ms) {[(round(a), round(b)) for a, b in tasks]}, "
        f"plots redrawn per task {held}, answers KB {[round(b / 1e3) for b, _ in answers]}, "
        f"load {load:.1f}",
        file=sys.stderr,
        flush=True,
    )
    return [
        tree,
        name,
        f"{n:,}",
        f"{k:,}",
        f"{longest:.0f}",
        f"{own:.0f}",
        len(over),
        f"{sum(b for _, b in tasks):.0f}",
        f"{1e3 * cpu['main']:.0f}",
        f"{1e3 * cpu['gpu']:.0f}",
        f"{sum(b for b, _ in answers) / 1e3:.0f}",
        f"{max((b for b, _ in answers), default=0) / 1e3:.0f}",
        ", ".join(in_longest) or "–",
        most,
        f"{load:.1f}",
        verdict(own <= LONG_TASK_TARGET_MS),
    ]


def deep_cuts(quick: bool = False) -> list[Table]:
    """Typed k into tens, hundreds and thousands of clusters: the longest main-thread task.

    With ``DEEP_CUTS_PROFILE=1`` in the environment, each task over the goal is printed with
    where its time went (:func:`profile_of_tasks`). With ``DEEP_CUTS_BASELINE=<commit>``,
    that commit's tree (a ``git archive`` of it) is served and driven beside this one, a
    browser each, each k typed in both pages in turn (this tree first at even steps), so
    that both meet the same machine load.
    """
    cases = [("5 blobs", 750, (40, 300, 600))]
    if not quick:
        cases.append(("two moons", 20_000, (1_000, 4_000, 11_000)))
    rows = []
    profiling = bool(os.environ.get("DEEP_CUTS_PROFILE"))
    baseline = os.environ.get("DEEP_CUTS_BASELINE")
    with contextlib.ExitStack() as stack:
        trees = _trees_side_by_side(stack, baseline)
        drivers = [stack.enter_context(page(root)) for _, root in trees]
        step = 0
        for name, n, ks in cases:
            for (tree, _), driver in zip(trees, drivers):
                _open_case(driver, name, n)
                # the WebGL symbols made ahead in idle time (assets/redraw_queue.js), ms per step
                warmed = driver.execute_script(
                    "return [window.hclustWarmed || [], window.hclustWarmedMs || []];"
                )
                if warmed[0]:
                    print(
                        f"  deep_cuts {tree} {name} n={n:,}: symbols made ahead in idle tasks "
                        f"of {dict(zip(*warmed))} ms",
                        file=sys.stderr,
                        flush=True,
                    )
                if profiling:
                    driver.execute_cdp_cmd("Profiler.enable", {})
                    driver.execute_cdp_cmd("Profiler.setSamplingInterval", {"interval": 250})
            for k in ks:
                order = list(range(len(trees)))
                for t in order if step % 2 == 0 else order[::-1]:
                    rows.append(_deep_cut(drivers[t], trees[t][0], name, n, k, profiling))
                step += 1
    rows.sort(key=lambda row: (row[1] != "5 blobs", int(row[3].replace(",", "")), row[0]))
    notes = [
        "A person types k into 'Number of clusters k' (Enter); from then until the page has "
        "settled (no callback pending, no long task for 1.5 s), every main-thread task over "
        "50 ms is recorded by a PerformanceObserver('longtask') in the page. 'longest' is the "
        "longest of them; 'blocked' their sum. Issue 12 §5: no task over "
        f"{LONG_TASK_TARGET_MS} ms at any cut.",
        "'longest task's thread ms': the longest task's own work on the page's main thread, "
        "from a Chromium trace of the same time (devtools/chromium_trace.py): a task's length "
        "also counts the wait for a core, which grows with the machine's load from other "
        "work, and the main thread's waits for the GPU process, which draws WebGL in software "
        "here ('GPU CPU'; a GPU draws it in a fraction of that). The verdict "
        f"(≤ {LONG_TASK_TARGET_MS} ms) is on the thread time, as tests/browser ins014's.",
        "'plots redrawn': the figure redraws (Plotly.react) that ran inside the task; 'most "
        "redraws in one task' over all long tasks of the cut. "
        "assets/redraw_queue.js gives each figure redraw a task of its own; the server's "
        "answer to a cut used to redraw the dendrogram and the scatter in one task.",
        "'load' is the machine's 1-minute load average as the cut settled (2 cores, shared "
        "with other test runs): above 2, every figure here is inflated by waiting for a core.",
        "'page CPU' and 'GPU CPU': CPU time of the page's main thread and of Chromium's GPU "
        "process (software WebGL) from the typed k until settled, 1.5 s of quiet included. "
        "They do not grow with the load: compare trees by them, the task lengths by the "
        "load they were met at.",
        "The 20,000-sample scatter is drawn with WebGL: assets/redraw_queue.js makes the marker "
        "symbols a later cut may draw in idle tasks after its first draw (printed, ms per step), "
        "not in the redraw of the first deep cut.",
        "DEEP_CUTS_PROFILE=1 prints each task over the goal with where its time went (Chromium's "
        "JS sampling profiler; '(program)' is native work: style, layout, the compositor waiting "
        "for the WebGL frame).",
        "'answers KB': the bodies of the server's answers to the callbacks from the typed k "
        "until settled (resource timing; sent uncompressed), and the largest of them.",
        "With DEEP_CUTS_BASELINE=<commit>, a git archive of that commit is served and driven "
        "beside this tree, a browser each, each k typed in both pages in turn.",
        "Data: the tutorial's X2 ('5 blobs', 750 samples, ward) and 'Generate: two moons' "
        "(seed 4711, noise 0.06, ward); gunicorn -w 2, headless Chromium (software WebGL).",
    ]
    table = Table(
        "Deep cuts: typed k -> the longest main-thread task (headless Chromium, gunicorn -w 2)",
        [
            "tree",
            "data",
            "n",
            "k",
            "longest task ms",
            "longest task's thread ms",
            f"tasks > {LONG_TASK_TARGET_MS} ms",
            "blocked ms",
            "page CPU ms",
            "GPU CPU ms",
            "answers KB",
            "largest answer KB",
            "plots redrawn in the longest task",
            "most redraws in one task",
            "load",
            f"≤ {LONG_TASK_TARGET_MS} ms",
        ],
        rows,
        notes,
    )
    return [table]


# ---------------------------------------------------------------- first_render


def first_render(quick: bool = False) -> list[Table]:
    sizes = (2_000, 10_000) if quick else (10_000, 100_000)
    rows = []
    with page() as driver:
        for n in sizes:
            generate_moons(driver, n)
            driver.execute_script(RENDER_RECORDER, f"{n - 1:,} merges", "#generate", "click")
            click(driver, "#generate")
            wait_rendered(driver, 600)
            linkage_s, render_s, total_s, title, responses_s = render_times(driver)
            samples = samples_in_dendrogram(driver)
            print(
                f"  first_render n={n}: click->status {linkage_s:.2f} s, status->render "
                f"{render_s:.3f} s, title {title!r}, samples {samples}",
                file=sys.stderr,
                flush=True,
            )
            target = (
                verdict(render_s <= FIRST_RENDER_TARGET_S)
                if n >= 100_000 or quick
                else "(target at 100,000)"
            )
            rows.append(
                [
                    f"{n:,}",
                    f"{linkage_s:.2f}",
                    f"{render_s * 1e3:.0f}",
                    f"{responses_s * 1e3:.0f}",
                    f"{(render_s - responses_s) * 1e3:.0f}",
                    f"{total_s:.2f}",
                    f"{samples:,}" if samples else "–",
                    f"{render_s / FIRST_RENDER_TARGET_S:.2f}",
                    target,
                ]
            )
    notes = [
        "Generate: two moons (noise 0.06, seed 4711), method ward (fastcluster's memory-light "
        "linkage_vector), truncated dendrogram (default).",
        "'end of linkage' = the MutationObserver on #clustering-status seeing 'n−1 merges'; "
        "'rendered' = the first plotly_afterplot of #dendrogram "
        "after it whose title names ward. 'to end of linkage' includes generating the data, the "
        "background job and its polling.",
        "'to last response' = from the end of linkage to the end of the last "
        "_dash-update-component response before the render (the cut and views "
        "callbacks: network + server); 'last response → rendered' = the browser building the figures.",
        "'samples drawn' sums the truncated leaves' sizes: it must equal n (the dendrogram is of the new data).",
    ]
    return [
        Table(
            "First render: end of linkage to a rendered dendrogram (headless Chromium, gunicorn -w 2)",
            [
                "n",
                "click → end of linkage s",
                "end of linkage → rendered ms",
                "of which to last response ms",
                "last response → rendered ms",
                "click → rendered s",
                "samples drawn",
                f"render / {FIRST_RENDER_TARGET_S:g} s",
                f"render ≤ {FIRST_RENDER_TARGET_S:g} s at 100,000",
            ],
            rows,
            notes,
        )
    ]


# ---------------------------------------------------------------- upload_50k


def _write_csv(path, n, m=10, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(5, m))
    X = centres[rng.integers(0, 5, size=n)] + rng.normal(size=(n, m))
    header = ",".join(f"f{j}" for j in range(m))
    np.savetxt(path, X, delimiter=",", header=header, comments="", fmt="%.6f")


def upload_50k(quick: bool = False) -> list[Table]:
    n = 5_000 if quick else 50_000
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        path = Path(tmp) / f"blobs_{n}x10.csv"
        _write_csv(path, n)
        size_mb = path.stat().st_size / 1e6
        with page() as driver:
            driver.execute_script(
                RENDER_RECORDER, f"{n - 1:,} merges", "#upload-data input[type=file]", "change"
            )
            driver.find_element("css selector", "#upload-data input[type=file]").send_keys(
                str(path)
            )
            wait_rendered(driver, 600)
            linkage_s, render_s, total_s, title, responses_s = render_times(driver)
            samples = samples_in_dendrogram(driver)
            status = text(driver, "clustering-status")
            data_status = text(driver, "data-status")
    print(
        f"  upload n={n}: {size_mb:.1f} MB, upload->status {linkage_s:.2f} s, ->render "
        f"{total_s:.2f} s; {status!r}; {data_status!r}",
        file=sys.stderr,
        flush=True,
    )
    rows = [
        [
            f"{n:,} × 10",
            f"{size_mb:.1f}",
            f"{linkage_s:.2f}",
            f"{render_s * 1e3:.0f}",
            f"{responses_s * 1e3:.0f}",
            f"{total_s:.2f}",
            f"{samples:,}" if samples else "–",
            f"{total_s / UPLOAD_TARGET_S:.2f}",
            verdict(total_s <= UPLOAD_TARGET_S),
        ]
    ]
    notes = [
        "A CSV with a header row (5 Gaussian blobs in 10-D) sent to the <input type=file> of "
        "#upload-data; t0 = its 'change' event in the page.",
        "Method ward (default), euclidean; 'end of linkage' = #clustering-status saying 'n−1 "
        "merges'; 'rendered' = the next #dendrogram afterplot (truncated tree).",
        f"Status line at the end: {status!r}. Data status: {data_status!r}.",
    ]
    return [
        Table(
            "Upload a CSV to a rendered dendrogram (headless Chromium, gunicorn -w 2)",
            [
                "data",
                "CSV MB",
                "upload → end of linkage s",
                "end of linkage → rendered ms",
                "of which to last response ms",
                "upload → rendered s",
                "samples drawn",
                f"total / {UPLOAD_TARGET_S:g} s",
                f"total ≤ {UPLOAD_TARGET_S:g} s",
            ],
            rows,
            notes,
        )
    ]


# ---------------------------------------------------------------- diagnostics_x2

DIAG_RECORDER = _script("diag_recorder.js")


def _settled(driver, seconds=0.5, timeout=30):
    """Wait until no Dash callback has been pending for `seconds` (the page is idle)."""
    idle_since = [None]

    def idle(d):
        callbacks = d.execute_script("return " + PENDING_CALLBACKS + ";")
        if callbacks:
            idle_since[0] = None
            return False
        idle_since[0] = idle_since[0] or time.monotonic()
        return time.monotonic() - idle_since[0] >= seconds

    wait(driver, idle, "the page to be idle", timeout, 0.05)


def _measure_x2(driver):
    _settled(driver)  # a person choosing X2 finds the page idle, not still answering its first load
    driver.execute_script(DIAG_RECORDER)
    choose(driver, "dataset", "Tutorial: 5 blobs of growing variance, X2")
    try:
        wait(
            driver,
            lambda d: len(d.execute_script("return window.__diag.done;")) == 4,
            "all four diagnostics panels",
            30,
            0.05,
        )
    except TimeoutError:
        state = driver.execute_script(
            "const D = window.__diag; return {t0: D.t0, done: D.done, q: D.qualityPlotted,"
            "quality: (document.querySelector('#quality-graph .js-plotly-plot')._fullData || "
            "[]).map(t => t.x && t.x.length)};"
        )
        print(
            f"    not all diagnostics panels updated within 30 s: {state}; elbow {text(driver, 'elbow')[:60]!r}",
            file=sys.stderr,
            flush=True,
        )
    time.sleep(0.5)
    requests = driver.execute_script(
        "const D = window.__diag; return performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('_dash-update-component') && e.startTime >= D.t0).map(e => "
        "[e.startTime - D.t0, e.responseEnd - D.t0]);"
    )
    print(
        f"    {len(requests)} callback requests after the click: {[(round(a), round(b)) for a, b in requests]}",
        file=sys.stderr,
        flush=True,
    )
    done = driver.execute_script("return window.__diag.done;")
    done["requests"] = len(requests)
    return done


def diagnostics_x2(quick: bool = False) -> list[Table]:
    runs = []
    with page() as driver:
        runs.append(("first time (computed)", _measure_x2(driver)))
        choose(driver, "dataset", "Tutorial: 2 Gaussian blobs")
        wait(
            driver,
            lambda d: (
                "0.980" in text(d, "cophenetic")
                and "149 merges" in text(d, "clustering-status")
                and "Suggested k = 4" not in text(d, "elbow")
            ),
            "back to the 2 blobs (cophenetic, status and elbow)",
            60,
        )
        time.sleep(1.0)
        runs.append(("again, same session (cached?)", _measure_x2(driver)))
        elbow = text(driver, "elbow")
    rows = []
    for label, done in runs:
        requests = done.pop("requests")
        missing = [k for k in ("cophenetic", "elbow", "quality", "inconsistency") if k not in done]
        total = max(done.values()) / 1e3 if not missing else float("inf")
        print(
            f"  diagnostics X2 {label}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in done.items()),
            file=sys.stderr,
            flush=True,
        )
        rows.append(
            [
                label,
                *(
                    f"{done[k]:.0f}" if k in done else "not seen in 30 s"
                    for k in ("cophenetic", "elbow", "quality", "inconsistency")
                ),
                f"{total:.2f}",
                requests,
                f"{total / DIAGNOSTICS_TARGET_S:.2f}",
                verdict(total <= DIAGNOSTICS_TARGET_S),
            ]
        )
    notes = [
        "t0 = the click on the dropdown option 'Tutorial: 5 blobs of growing variance, X2' (a "
        "capture listener in the page); each panel's time is "
        "when a MutationObserver (or, for the quality plot, plotly_afterplot) first sees it "
        "updated: #cophenetic text changed to a number, "
        "#elbow says 'Suggested k = 4', #quality-graph drawn with 3 traces of 9 points, "
        "#inconsistency changed and holding a table.",
        "Each choice is made on an idle page (no callback pending for 0.5 s). Row 1 is the first "
        "choice of X2 on a fresh server: it includes the linkage job and every diagnostic computed "
        "for the first time. "
        "Row 2 chooses the 2 blobs and X2 again in the same session; whether the server reuses its "
        "first results depends on its cache.",
        f"Elbow text at the end: {elbow!r}.",
    ]
    return [
        Table(
            "Diagnostics for the tutorial's X2 (750 × 2): choose the preset → all panels updated",
            [
                "run",
                "cophenetic ms",
                "elbow ms",
                "quality plot ms",
                "inconsistency ms",
                "all s",
                "callback requests",
                f"all / {DIAGNOSTICS_TARGET_S:g} s",
                f"all ≤ {DIAGNOSTICS_TARGET_S:g} s",
            ],
            rows,
            notes,
        )
    ]
