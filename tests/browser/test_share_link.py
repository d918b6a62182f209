"""The view in the address (issue 14): a copied link opens the same view in a new browser,
back and forward walk through the changes, and an upload's expired reference is said so.

gunicorn with two workers, as hosted (the test process's shared instance,
tests/browser/conftest.py); each browser is its own headless Chromium (its own
page load, so its own session). A person uploads a file, picks a method, a scaling and k,
splits a cluster, and copies the link; another browser opens it.

Run with ``python -m pytest tests/browser/test_share_link.py -q --headless``.
"""

import json
import re

import numpy as np
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from callbacks.share import CONVERGED, FINISHING
from devtools.local_app import choose_option, click_centred

TIMEOUT = 90
# What a link restores (callbacks/share.py), with the dataset it restores first; the
# distance-matrix switch and the highlight are compared through the view they give.
CONTROLS = (
    ("dataset", "value"),
    *(c for c in CONVERGED if c not in {("as-distance-matrix", "value"), ("highlight", "data")}),
    *(c for c in FINISHING if c != ("colour-map", "data")),  # panels, axes, merge step
)


def wait(driver, condition, what, timeout=TIMEOUT):
    WebDriverWait(driver, timeout, poll_frequency=0.25).until(
        lambda _: condition(), message=f"waiting for {what}"
    )


def prop(driver, component_id, name):
    """A component's property as the renderer holds it (what callbacks receive)."""
    return driver.execute_script(
        "const state = window.store.getState(), path = state.paths.strs[arguments[0]];"
        "if (!path) return null; let node = state.layout; for (const key of path) node = node[key];"
        "return node.props[arguments[1]] === undefined ? null : node.props[arguments[1]];",
        component_id,
        name,
    )


def plots(driver):
    """What both plots draw: titles, leaf labels, and every trace's colours and sizes."""
    return driver.execute_script(
        """
        const graph = id => document.querySelector('#' + id + ' .js-plotly-plot');
        const out = {};
        for (const id of ['dendrogram', 'scatter']) {
          const gd = graph(id);
          if (!gd || !gd._fullLayout || !gd._fullData) return null;
          out[id] = {
            title: gd._fullLayout.title.text,
            ticks: Array.from(gd._fullLayout.xaxis.ticktext || []),
            shapes: (gd._fullLayout.shapes || []).map(s => [s.type, s.y0, s.y1, s.visible]),
            traces: gd._fullData.map(t => ({
              name: t.name, n: (t.x || []).length,
              colour: JSON.stringify((t.marker && t.marker.color) || (t.line && t.line.color)),
              x: Array.from(t.x || []).slice(0, 400).map(v => typeof v === 'number' ? +v.toFixed(9) : v),
            })),
          };
        }
        return out;
        """
    )


def view(driver):
    cut = prop(driver, "cut", "data") or {}
    cut = {key: value for key, value in cut.items() if key != "nudged"}
    return {
        "controls": {f"{c}.{p}": prop(driver, c, p) for c, p in CONTROLS},
        "cut": cut,
        "highlight": prop(driver, "highlight", "data"),
        "plots": plots(driver),
    }


def settled(driver):
    """The view once the page is idle: no callback pending and the plots drawn."""
    found = driver.execute_script(
        "const s = window.store.getState();"
        "return (s.isLoading || (s.pendingCallbacks || []).length) ? null : true;"
    )
    return view(driver) if found else None


def uncoloured(found):
    """A view without its palette, each cluster's points and links still compared.

    The app keeps colours stable across the cuts a page has shown, so the same clusters
    reached through other views (a new session's default view, or Back) may wear other
    colours; the link does not carry the palette.
    """
    if not found or not found.get("plots"):
        return found
    plots = {
        graph: {
            **drawn,
            "traces": sorted(
                json.dumps([t["n"], t["x"]])
                for t in drawn["traces"]
                if t["name"] not in ("merges", "leaves")
            ),
        }
        for graph, drawn in found["plots"].items()
    }
    return {**found, "plots": plots}


def wait_for_view(driver, shown, what, same=lambda found: found):
    """Wait until the page settles on `shown` (as `same` sees views); on timeout, say what differs."""
    shown = same(shown)
    try:
        wait(driver, lambda: same(settled(driver)) == shown, what)
    except TimeoutException:
        got = same(settled(driver) or view(driver))
        diff = {k: (got.get(k), shown[k]) for k in shown if got.get(k) != shown[k]}
        raise AssertionError(f"{what}: the view differs: {diff}") from None


def open_page(driver, url):
    driver.get(url)
    wait(
        driver, lambda: "0.980" in driver.find_element("id", "cophenetic").text, "first clustering"
    )


def type_into(driver, element_id, value):
    click_centred(driver, f"#{element_id}")
    box = driver.find_element("id", element_id)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(value), Keys.ENTER)


def upload(driver, path):
    # dcc.Upload is one of Dash's lazily loaded components: its input comes a moment later
    wait(
        driver,
        lambda: driver.find_elements("css selector", "#upload-data input[type=file]"),
        "the upload box",
    )
    driver.find_element("css selector", "#upload-data input[type=file]").send_keys(str(path))
    wait(
        driver,
        lambda: "36 rows × 2 columns used" in driver.find_element("id", "data-status").text,
        "the upload",
    )


def write_table(path):
    rng = np.random.default_rng(3)
    lines = ["name;width;height"]
    for i in range(36):
        x = np.array([[0, 0], [10, 0], [0, 12]][i % 3]) + rng.normal(size=2)
        lines.append(f"leaf {i};{x[0]:.3f};{x[1]:.3f}".replace(".", ","))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def current_cut(driver):
    return prop(driver, "cut", "data") or {}


def test_link_opens_the_same_view_in_a_new_browser(app_server, tmp_path, chromium):
    table = tmp_path / "measures.csv"
    write_table(table)
    with chromium("1600,1200") as alice:
        open_page(alice, app_server)
        upload(alice, table)
        # the panels' settings go into the link too (set first: the next choices redraw anyway)
        choose_option(alice, "leaf-label-style", "large, level")
        type_into(alice, "quality-max-k", 12)
        click_centred(alice, "#clustergram-scale input[value=zscore]")
        choose_option(alice, "method", "average")
        choose_option(alice, "scaling", "z-score")
        wait(
            alice,
            lambda: (current_cut(alice).get("clustering") or {}).get("method") == "average",
            "the average linkage",
        )
        wait(alice, lambda: "scale=zscore" in alice.current_url, "the z-scored clustering")
        wait(alice, lambda: settled(alice) is not None, "alice's page to settle")
        type_into(alice, "n-clusters", 4)
        wait(
            alice,
            lambda: (
                current_cut(alice).get("k") == 4
                and (current_cut(alice).get("clustering") or {}).get("method") == "average"
            ),
            "the cut into 4",
        )
        wait(
            alice,
            lambda: f"h={current_cut(alice)['height']!r}" in alice.current_url,
            "the address to follow the cut",
        )
        # highlight a cluster by clicking its row in the summary table
        rows = alice.find_elements("css selector", "#cluster-summary tbody tr")
        wait(
            alice,
            lambda: len(alice.find_elements("css selector", "#cluster-summary td")) > 4,
            "table",
        )
        cell = alice.find_elements("css selector", "#cluster-summary td")[
            len(alice.find_elements("css selector", "#cluster-summary tr:nth-of-type(2) td"))
        ]
        alice.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
        cell.click()
        wait(alice, lambda: isinstance(prop(alice, "highlight", "data"), dict), "the highlight")
        wait(alice, lambda: "hl=cluster" in alice.current_url, "the address to name the highlight")
        del rows
        # split the highlighted cluster at its own highest merge: the link carries the split
        wait(alice, lambda: prop(alice, "partition-split", "disabled") is False, "Split")
        click_centred(alice, "#partition-split")
        wait(alice, lambda: len(current_cut(alice).get("edits") or []) == 1, "the split")
        wait(alice, lambda: "edits=s" in alice.current_url, "the address to name the split")
        click_centred(alice, "#copy-link")
        wait(alice, lambda: (prop(alice, "share-link", "value") or "").startswith("http"), "link")
        link = prop(alice, "share-link", "value")
        assert link == alice.current_url
        assert "leaf" not in link and "12,0" not in link  # settings only, never the data
        assert re.search(r"[?&]ref=[0-9a-f]{32}(&|$)", link)
        assert all(part in link for part in ("leaves=12%3A0", "maxk=12", "cgs=zscore"))
        assert current_cut(alice)["k"] == 5 and current_cut(alice)["base_k"] == 4
        # k = 4 split one of the three clusters shown before: they kept their colours, which a
        # new page opening on k = 4 would not give, so the link names them
        assert "pal=" in link
        wait(alice, lambda: settled(alice) is not None, "alice's page to settle")
        shown = settled(alice)

        with chromium("1600,1200") as bob:
            bob.get(link)
            # the same view in the same colour per sample (the link names the colours: alice's
            # came from the cuts she tried before, a new page would colour the cut otherwise)
            wait_for_view(bob, shown, "bob's page to show alice's view")
            assert prop(bob, "session-id", "data") != prop(alice, "session-id", "data")
            assert bob.find_element("id", "share-status").text == ""

        # a new choice is a new history entry; Back returns to the copied view, Forward leaves it
        choose_option(alice, "method", "complete")
        wait(
            alice,
            lambda: "method=complete" in alice.current_url,
            "the address to name the complete linkage",
        )
        alice.back()
        wait_for_view(alice, shown, "Back to restore the copied view", same=uncoloured)
        alice.forward()
        wait(
            alice,
            lambda: (
                (current_cut(alice).get("clustering") or {}).get("method") == "complete"
                and prop(alice, "method", "value") == "complete"
            ),
            "Forward to the complete linkage",
        )


def test_expired_upload_reference_says_so_and_offers_the_upload_box(app_server, chromium):
    with chromium("1600,1200") as carol:
        carol.get(f"{app_server}/?src=upload&ref={'0' * 32}&method=average&metric=euclidean")
        shown = (
            "const status = document.getElementById('share-status'),"
            " upload = document.getElementById('upload-data');"
            "return !!status && status.innerText.includes('expired')"
            " && !!upload && upload.offsetParent !== null;"
        )
        # both at once: the expiry message and, on screen, the upload box it points to
        wait(carol, lambda: carol.execute_script(shown), "the expiry message and the upload box")
        # what was loaded stays: the tutorial's data, clustered
        wait(carol, lambda: "0.980" in carol.find_element("id", "cophenetic").text, "tutorial")


def test_a_bad_parameter_is_named_and_the_page_keeps_its_own_view(app_server, chromium):
    with chromium("1600,1200") as dave:
        dave.get(f"{app_server}/?src=tutorial-2-blobs&method=nonsense")
        wait(
            dave,
            lambda: "'method' must be one of" in dave.find_element("id", "share-status").text,
            "the refusal",
        )
        wait(dave, lambda: "0.980" in dave.find_element("id", "cophenetic").text, "tutorial")
