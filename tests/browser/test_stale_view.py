"""A view never shows a result for other settings (issue 12 §3), in a real browser.

While a new result is computing the plots are dimmed under "computing…"; a
refused choice puts the controls back to what the plots show, and the refusal
is shown above the plots.

Run with ``python -m pytest tests/browser/test_stale_view.py -q --headless``.
"""

from devtools.local_app import choose_option as _choose
from tests.browser.test_data_in import PEOPLE, upload, write_csv
from tests.browser.test_foundation import wait_until
from tests.browser.test_instrument import (
    QUICK,
    component_prop,
    dendrogram_title,
    generate,
    page_errors,
    wait_for_text,
)

# Records, before every frame the browser paints, what a person sees.
WATCH = """
window.__views = [];
const plots = document.getElementById('plots');
const record = () => {
    const gd = document.querySelector('#dendrogram .js-plotly-plot');
    const overlay = document.getElementById('plots-overlay');
    const card = document.querySelector('#plots > .plot-card');
    window.__views.push({
        stale: plots.classList.contains('stale'),
        overlay: getComputedStyle(overlay).display !== 'none' ? overlay.textContent : null,
        opacity: parseFloat(getComputedStyle(card).opacity),
        title: gd && gd._fullLayout ? gd._fullLayout.title.text : '',
        method: document.querySelector('#method').textContent,
        menu: document.querySelector('#dataset').textContent,
        points: (() => {
            const sc = document.querySelector('#scatter .js-plotly-plot');
            return sc && sc._fullData ? sc._fullData.reduce((s, t) => s + (t.x ? t.x.length : 0), 0) : 0;
        })(),
        at: performance.now(),
        width: Math.round(card.getBoundingClientRect().width),
        top: Math.round(card.getBoundingClientRect().top + window.scrollY),
    });
};
const frame = () => { record(); window.__watching && requestAnimationFrame(frame); };
window.__watching = true;
frame();
"""


def views(page):
    return page.driver.execute_script("return window.__views;")


def stop_watching(page):
    return page.driver.execute_script("window.__watching = false; return window.__views;")


class TestStaleViews:
    def test_stv001_the_old_plots_are_dimmed_under_computing_until_the_new_result(self, page):
        page.driver.execute_script(WATCH)
        _choose(page.driver, "method", "average")
        wait_for_text(page, "clustering-status", "Average linkage", timeout=QUICK)
        wait_until(
            page,
            lambda: "average" in dendrogram_title(page) and not views(page)[-1]["stale"],
            "the average tree drawn and the plots undimmed",
            QUICK,
        )
        seen = stop_watching(page)
        assert not seen[0]["stale"] and "ward" in seen[0]["title"], seen[0]
        dimmed = [v for v in seen if v["stale"]]
        assert dimmed, "the plots were dimmed while average was computing"
        for view in dimmed:
            assert view["overlay"] == "computing…" and view["opacity"] < 0.5, view
            # dimmed in place: the plots neither move nor change size
            assert (view["width"], view["top"]) == (seen[0]["width"], seen[0]["top"]), view
        # Painted frames that name average over the ward tree undimmed: only the frame or two
        # before the browser-side callback answers the dropdown, never once the result is late.
        chosen = next(v["at"] for v in seen if "average" in v["method"])
        undimmed_old = [
            v for v in seen if "average" in v["method"] and "ward" in v["title"] and not v["stale"]
        ]
        assert all(v["at"] - chosen < 100 for v in undimmed_old), undimmed_old
        first_dimmed = dimmed[0]["at"]
        assert all(v["at"] < first_dimmed for v in undimmed_old)
        assert dimmed[-1]["at"] - first_dimmed > 0 and "ward" in dimmed[0]["title"]
        assert seen[-1]["overlay"] is None and seen[-1]["opacity"] == 1
        assert page_errors(page) == []

    def test_stv002_a_refused_method_puts_the_controls_back_next_to_the_plots(
        self, page, monkeypatch
    ):
        # complete linkage on 333 points needs about 0.9 MB; ward, memory-light, about 40 kB
        monkeypatch.setattr("services.config.MAX_MEMORY_MB", 0.5)
        generate(page, "concentric rings", 333)
        wait_for_text(page, "clustering-status", "332 merges", timeout=QUICK * 3)
        wait_until(page, lambda: "ward" in dendrogram_title(page), "the ward tree", QUICK)
        wait_until(page, lambda: page.redux_state_rqs == [], "the page to settle", QUICK)

        _choose(page.driver, "method", "complete")
        status = wait_for_text(page, "clustering-status", "of memory; the limit is", timeout=QUICK)
        assert status.startswith("⚠"), status
        wait_until(
            page,
            lambda: component_prop(page, "method", "value") == "ward",
            "the method back to ward, which the plots show",
            QUICK,
        )
        assert component_prop(page, "metric", "value") == "euclidean"
        assert "ward" in dendrogram_title(page)
        # the refusal stays, above the plots and on screen, and the plots are not dimmed
        wait_until(page, lambda: page.redux_state_rqs == [], "the page to settle", QUICK)
        assert "of memory; the limit is" in page.find_element("#clustering-status").text
        place = page.driver.execute_script(
            """
            const status = document.getElementById('clustering-status');
            const plots = document.getElementById('plots');
            const card = document.getElementById('dendrogram-card').getBoundingClientRect();
            const box = status.getBoundingClientRect();
            return {inside: plots.contains(status), above: box.bottom <= card.top + 1,
                    onScreen: box.top >= 0 && box.bottom <= window.innerHeight,
                    stale: plots.classList.contains('stale')};
            """
        )
        assert place == {"inside": True, "above": True, "onScreen": True, "stale": False}, place
        assert "ward" in page.find_element("#method").text
        assert page_errors(page) == []

    def test_stv003_the_menu_never_names_an_upload_over_the_old_data_undimmed(self, page, tmp_path):
        people = write_csv(tmp_path / "people.csv", ["name", "height", "weight"], PEOPLE)
        wait_until(page, lambda: page.redux_state_rqs == [], "the page to settle", QUICK)
        page.driver.execute_script(WATCH)
        assert views(page)[0]["points"] == 150
        upload(page, people)
        wait_for_text(page, "data-status", "people.csv", "12 rows")
        wait_until(
            page,
            lambda: views(page)[-1]["points"] == 12 and not views(page)[-1]["stale"],
            "the people drawn and the plots undimmed",
            QUICK * 3,
        )
        seen = stop_watching(page)
        named = [v for v in seen if "people.csv" in v["menu"]]
        assert named, "the menu names the upload"
        first = named[0]["at"]
        # once the menu names the file, the tutorial's 150 points are dimmed (a frame's grace)
        late = [
            v for v in named if v["points"] == 150 and not v["stale"] and v["at"] - first >= 100
        ]
        assert late == [], late[:3]
        assert any(v["stale"] and v["points"] == 150 for v in named)
        assert page_errors(page) == []
