"""Accessibility in a real browser (issue #16): axe-core finds nothing to fix on the
page as it opens and after an upload; the main controls fit a 1280×720 screen; the
whole workflow works from the keyboard alone.

axe-core comes from npm (package-lock.json; `make test` runs `npm ci`) and is
injected by ``tests.helpers.axe_violations``.

Run with ``python -m pytest tests/browser/test_a11y.py -q --headless``.
"""

import time
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from hclust.data import tutorial_blobs
from tests.browser.test_data_in import downloaded_csv
from tests.browser.test_foundation import input_value, wait_until
from tests.browser.test_instrument import (
    QUICK,
    component_prop,
    page_errors,
    settle,
    wait_for_text,
)
from tests.helpers import axe_violations

# Seconds between key presses, a fast typist's pace.
KEY_PAUSE = 0.15
UPLOADS = Path(__file__).resolve().parent.parent / "fixtures" / "uploads"


class TestAccessibility:
    def test_a11y001_no_axe_violations_on_the_default_page_and_after_an_upload(self, page):
        found = axe_violations(page.driver)
        assert found == [], "\n".join(found)

        page.find_element("#upload-data input[type=file]").send_keys(
            str(UPLOADS / "people_labelled.csv")
        )
        wait_for_text(page, "data-status", "people_labelled.csv", "Label column: name")
        wait_until(page, lambda: input_value(page, "#n-clusters") == "2", "the upload's cut")
        wait_until(page, lambda: page.redux_state_rqs == [], "the page's callbacks to settle")
        # the upload's own fields (feature and label columns) are shown now
        assert page.find_element("#upload-options").is_displayed()
        found = axe_violations(page.driver)
        assert found == [], "\n".join(found)
        assert page_errors(page) == []

    def test_a11y002_main_controls_fit_1280_by_720_and_menus_open_over_the_plots(self, page):
        driver = page.driver
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False},
        )
        try:
            driver.execute_script("window.scrollTo(0, 0)")
            # the main loop, visible without scrolling: cut height, k, criterion, download
            for element_id in ("criterion", "cut-height", "n-clusters", "download-labels"):
                top, bottom = driver.execute_script(
                    "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
                    "return [r.top, r.bottom];",
                    element_id,
                )
                assert 0 <= top and bottom <= 720, f"#{element_id} spans {top}..{bottom} px"
            # nothing in the controls column sticks out sideways
            scroll, client = driver.execute_script(
                "const c = document.querySelector('.controls'); return [c.scrollWidth, c.clientWidth];"
            )
            assert scroll <= client, f"the controls overflow sideways by {scroll - client} px"
            # every chosen option is shown whole, not cut short with an ellipsis
            cut_short = driver.execute_script(
                "return Array.from(document.querySelectorAll('.controls .dash-dropdown-value'))"
                ".filter(v => v.clientWidth && !v.closest('.dash-dropdown')"
                ".querySelector('.dash-dropdown-value-count') && v.scrollWidth > v.clientWidth)"
                ".map(v => v.textContent);"
            )
            assert cut_short == [], f"shown cut short: {cut_short}"
            # no two fields share a name ("Depth" twice, once)
            names = driver.execute_script(
                "return Array.from(document.querySelectorAll('label.field-label'))"
                ".map(l => l.textContent);"
            )
            assert len(names) == len(set(names)), f"fields named alike: {names}"

            # no panel's content (the inconsistency table, once) spills out of it
            # (plotly redraws each plot for the new width a moment after the resize)
            def spilling():
                return driver.execute_script(
                    "return Array.from(document.querySelectorAll('#diagnostics > .panel'))"
                    ".filter(p => p.scrollWidth > p.clientWidth).map(p => p.id);"
                )

            try:
                wait_until(page, lambda: spilling() == [], "no panel spilling sideways", QUICK)
            except TimeoutException:
                raise AssertionError(f"panels spilling out sideways: {spilling()}") from None
            # the diagnostics two by two: no panel alone on half a row
            rows = driver.execute_script(
                "const grid = document.getElementById('diagnostics').getBoundingClientRect();"
                "const rows = {};"
                "for (const p of document.querySelectorAll('#diagnostics > .panel')) {"
                " const r = p.getBoundingClientRect(); if (!r.height) continue;"
                " (rows[Math.round(r.top)] = rows[Math.round(r.top)] || []).push("
                "  [p.id || p.className, r.width / grid.width]); }"
                "return Object.values(rows);"
            )
            for row in rows:
                alone = len(row) == 1 and row[0][1] < 0.9
                assert not alone, f"{row[0][0]} is alone on half a row of the diagnostics"
            # a menu opened over the plots is drawn on top of them, whole
            scaling = page.find_element("#scaling")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", scaling)
            scaling.click()
            wait_until(
                page,
                lambda: driver.execute_script(
                    "return !!document.querySelector('.dash-dropdown-content [role=option]');"
                ),
                "the scaling menu to open",
            )
            covered = driver.execute_script(
                "return Array.from(document.querySelectorAll('.dash-dropdown-content [role=option]'))"
                ".filter(o => { const r = o.getBoundingClientRect();"
                " const hit = document.elementFromPoint(r.right - 4, r.top + r.height / 2);"
                " return !(hit && o.contains(hit)); }).map(o => o.textContent);"
            )
            assert covered == [], f"options drawn under something else: {covered}"
            scaling.send_keys(Keys.ESCAPE)
        finally:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def test_a11y003_the_whole_workflow_by_keyboard_alone(self, page):
        """Load a preset, change the method, set k (typed, then in the elbow plot), highlight
        a cluster from the table and download, with the keyboard only."""
        driver = page.driver
        driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")

        column = controls_box(page)
        choose_by_keyboard(page, "dataset", "5 blobs")
        wait_for_text(page, "data-status", "750 rows")
        wait_for_text(page, "clustering-status", "Ward linkage", "749 merges")

        # a menu can be typed into as soon as it opens
        choose_by_keyboard(page, "method", "average", typed="aver")
        wait_for_text(page, "clustering-status", "Average linkage", "749 merges")
        settle(page)

        tab_to(page, "n-clusters")
        press(page, Keys.CONTROL, "a")
        press(page, "3", Keys.ENTER)
        wait_until(page, lambda: input_value(page, "#n-clusters") == "3", "k = 3")
        settle(page)
        # a merge chosen in the dendrogram: focus it, → → across the merges, Enter shows it
        tab_to(page, "dendrogram-card", most=250)
        # every control was focused on the way here: the column has not moved or widened
        assert controls_box(page) == column
        press(page, Keys.ARROW_RIGHT)
        press(page, Keys.ARROW_RIGHT)

        def cursor():  # visually hidden: read as a screen reader does
            return page.find_element("#merge-cursor").get_attribute("textContent")

        wait_until(page, lambda: cursor().startswith("Merge "), "the chosen merge announced")
        announced = int(cursor().split()[1])
        press(page, Keys.ENTER)
        wait_until(
            page,
            lambda: (
                (component_prop(page, "highlight", "data") or {}).get("node") == 750 + announced
            ),
            "the announced merge to be highlighted",
        )
        wait_for_text(page, "node-panel", f"{announced}")
        settle(page)
        # k chosen in the elbow plot: focus it, one step right
        tab_to(page, "elbow-keys", most=250)
        press(page, Keys.ARROW_RIGHT)
        wait_until(page, lambda: input_value(page, "#n-clusters") == "4", "k = 4 from the elbow")
        X2 = tutorial_blobs()[1]
        expected = fcluster(linkage(X2, "average"), 4, "maxclust")
        sizes = sorted(np.bincount(expected)[1:], reverse=True)
        # the live summary a screen reader announces
        wait_for_text(
            page, "clustering-summary", "4 clusters, cut at height", ", ".join(map(str, sizes))
        )
        settle(page)
        # a cluster chosen in the table: focus it, arrow down to the first row
        tab_to(page, "summary-keys", most=250)
        press(page, Keys.ARROW_DOWN)
        wait_until(
            page,
            lambda: (
                (component_prop(page, "highlight", "data") or {}).get("cluster")
                == int(page.find_element('#cluster-summary td[data-dash-column="cluster"]').text)
            ),
            "the first row's cluster to be highlighted",
        )
        settle(page)

        # back up to the download button
        tab_to(page, "download-labels", most=400, back=True)
        press(page, Keys.ENTER)
        _, rows = downloaded_csv(page)
        got = np.array([int(row["cluster"]) for row in rows])
        # the same partition as scipy's (cluster numbers may differ)
        pairs = set(zip(got.tolist(), expected.tolist()))
        assert len(pairs) == len(set(got)) == len(set(expected)) == 4
        assert page_errors(page) == []

    def test_a11y004_a_z_score_suggestion_beside_the_plots_and_the_feature_picker(
        self, page, tmp_path
    ):
        """A file whose features' spreads differ 10× and more: the suggestion is announced
        next to the plots at 1280×720, the feature picker is searchable with select all
        and none from the keyboard, and the suggestion's button applies z-score."""
        driver = page.driver
        rng = np.random.default_rng(16)
        income, age = rng.normal(40_000, 12_000, 40), rng.normal(40, 12, 40)
        rooms = rng.integers(1, 7, 40)
        csv = tmp_path / "households.csv"
        csv.write_text(
            "name,income,age,rooms\n"
            + "".join(f"h{i},{income[i]:.0f},{age[i]:.1f},{rooms[i]}\n" for i in range(40))
        )
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False},
        )
        try:
            driver.execute_script("window.scrollTo(0, 0)")
            page.find_element("#upload-data input[type=file]").send_keys(str(csv))
            wait_for_text(page, "data-status", "households.csv", "40 rows")
            text = wait_for_text(page, "scaling-advice-text", "income decides the distances")
            advice = page.find_element("#scaling-advice")
            assert advice.get_attribute("role") == "status"
            assert advice.get_attribute("aria-live") == "polite"
            top, bottom = driver.execute_script(
                "const r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom];",
                advice,
            )
            assert 0 <= top and bottom <= 720, f"the suggestion spans {top}..{bottom} px"
            stds = np.std(np.c_[income.round(), age.round(1), rooms], axis=0)
            assert f"{stds.max() / stds.min():,.0f}-fold" in text
            wait_until(page, lambda: page.redux_state_rqs == [], "the page's callbacks to settle")
            found = axe_violations(page.driver)
            assert found == [], "\n".join(found)

            # the feature picker: every numeric column, searchable, all and none by keyboard
            driver.execute_script("document.getElementById('feature-columns').focus()")
            press(page, Keys.ENTER)
            options = (
                "return Array.from(document.querySelectorAll("
                "'.dash-dropdown-content [role=option]')).map(o => o.textContent);"
            )
            wait_until(
                page,
                lambda: driver.execute_script(options) == ["income", "age", "rooms"],
                "every numeric column offered",
            )
            press(page, "roo")
            wait_until(page, lambda: driver.execute_script(options) == ["rooms"], "the search")
            press(page, Keys.BACKSPACE, Keys.BACKSPACE, Keys.BACKSPACE)

            def focused_text():
                return driver.execute_script("return document.activeElement.textContent;")

            press(page, Keys.TAB)
            assert focused_text() == "Select All"
            press(page, Keys.TAB)
            assert focused_text() == "Deselect All"
            press(page, Keys.ENTER)
            wait_until(
                page,
                lambda: page.find_element("#feature-columns").text == "numeric columns",
                "no feature chosen",
            )
            shift_tab = ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB)
            shift_tab.key_up(Keys.SHIFT).perform()
            assert focused_text() == "Select All"
            press(page, Keys.ENTER)
            wait_until(
                page,
                lambda: "3 selected" in page.find_element("#feature-columns").text,
                "every feature chosen again",
            )
            press(page, Keys.ESCAPE)
            wait_until(page, lambda: page.redux_state_rqs == [], "the page's callbacks to settle")

            # the suggestion's button sets the scaling, and the suggestion goes
            page.find_element("#scaling-advice-apply").click()
            wait_for_text(page, "data-status", "households.csv", "z-score")
            assert "z-score" in page.find_element("#scaling").text
            wait_until(page, lambda: not advice.is_displayed(), "the suggestion to go")
            wait_until(page, lambda: page.redux_state_rqs == [], "the page's callbacks to settle")
            found = axe_violations(page.driver)
            assert found == [], "\n".join(found)
            assert page_errors(page) == []
        finally:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def controls_box(dash_duo):
    """Where the controls column is on the page (not in the window), how wide its content is
    and how far that content is scrolled sideways."""
    return dash_duo.driver.execute_script(
        "const c = document.querySelector('.controls'); const r = c.getBoundingClientRect();"
        "return [r.left + scrollX, r.top + scrollY, r.width, c.scrollWidth, c.scrollLeft]"
        ".map(Math.round);"
    )


def press(dash_duo, *keys):
    """Keys sent to whatever has the focus, as a person types them (not faster than
    a person: a dropdown takes a moment to follow the focus from option to option)."""
    ActionChains(dash_duo.driver).send_keys(*keys).perform()
    time.sleep(KEY_PAUSE)


def focused_id(dash_duo):
    return dash_duo.driver.execute_script("return document.activeElement.id;")


def tab_to(dash_duo, element_id, most=80, back=False):
    """Press Tab (Shift+Tab with `back`) until `element_id` has the focus."""
    for _ in range(most):
        if focused_id(dash_duo) == element_id:
            return
        # no pause after a Tab: the focus moves at once (the pause is for open menus)
        chain = ActionChains(dash_duo.driver)
        if back:
            chain = chain.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT)
        else:
            chain = chain.send_keys(Keys.TAB)
        chain.perform()
    raise AssertionError(f"#{element_id} never got the focus in {most} Tab presses")


def choose_by_keyboard(dash_duo, dropdown_id, option_text, typed=None, most=20):
    """Tab to a dropdown, open it with Enter, (type to filter,) arrow down to the option,
    choose it with Enter."""
    options = "Array.from(document.querySelectorAll('.dash-dropdown-content [role=option]'))"
    tab_to(dash_duo, dropdown_id)
    press(dash_duo, Keys.ENTER)
    wait_until(
        dash_duo,
        lambda: dash_duo.driver.execute_script(
            f"return {options}.length > 0"
            " && !!document.activeElement.closest('.dash-dropdown-content');"
        ),
        f"#{dropdown_id}'s menu to open with the focus in it",
    )
    if typed:
        press(dash_duo, typed)
        wait_until(
            dash_duo,
            lambda: dash_duo.driver.execute_script(
                f"return {options}.every(o => o.textContent.includes(arguments[0]));", typed
            ),
            f"#{dropdown_id}'s menu to show only options with {typed!r}",
        )
        press(dash_duo, Keys.ARROW_DOWN)
    focused_text = (
        "const o = document.activeElement.closest('[role=option]'); return o ? o.textContent : '';"
    )
    for _ in range(most):
        if option_text in dash_duo.driver.execute_script(focused_text):
            press(dash_duo, Keys.ENTER)
            wait_until(
                dash_duo,
                lambda: option_text in dash_duo.find_element(f"#{dropdown_id}").text,
                f"#{dropdown_id} to show {option_text!r}",
            )
            return
        press(dash_duo, Keys.ARROW_DOWN)
    raise AssertionError(f"no option {option_text!r} in #{dropdown_id}")
