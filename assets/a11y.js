/*
 * Accessibility repairs to the markup Dash's own components render (issue #16).
 *
 * Dash 4 draws a few controls in ways axe-core (WCAG 2.2 AA) rejects, and none of
 * them takes the attributes that would fix it from Python. Each repair below names
 * the axe rule it answers; all are idempotent, so a React re-render that puts an
 * attribute back is simply repaired again (a MutationObserver watches the page).
 * tests/browser/test_a11y.py runs axe-core on the page to hold this to zero.
 */
(function () {
  "use strict";

  var PAGER = {
    "first-page": "First page",
    "previous-page": "Previous page",
    "next-page": "Next page",
    "last-page": "Last page",
  };

  function repair() {
    // aria-hidden-focus: a dropdown's hidden "focus target" input is in the tab
    // order only to pass focus on to the dropdown's button. Take it out, and put
    // the button (which carries the name and the keyboard handling) in its place.
    document.querySelectorAll("input.dash-dropdown-focus-target").forEach(function (input) {
      if (!input.disabled) input.disabled = true;
      var button = input.nextElementSibling;
      if (button && button.tagName === "BUTTON" && button.getAttribute("tabindex") !== "0") {
        button.setAttribute("tabindex", "0");
      }
    });
    // label-content-name-mismatch: a dropdown's button is named by its count and
    // its value ("2 selected heightweight"), which neither matches what it shows
    // nor says what the field is. Where a <label for> names the field, let it name
    // the button, and let the value and count describe it.
    document.querySelectorAll("button.dash-dropdown[id][aria-labelledby]").forEach(function (button) {
      var id = button.id;
      if (!document.querySelector('label[for="' + CSS.escape(id) + '"]')) return;
      button.removeAttribute("aria-labelledby");
      button.setAttribute("aria-describedby", id + "-value " + id + "-value-count");
    });
    // nested-interactive, aria-allowed-role, aria-input-field-name: checklists and
    // radio items are a listbox of options that each wrap a real checkbox or radio.
    // The native inputs with their labels say everything; the group around them
    // (components/layout.py) has the name.
    document
      .querySelectorAll(".dash-checklist[role], .dash-radioitems[role]")
      .forEach(function (list) {
        list.removeAttribute("role");
      });
    document
      .querySelectorAll(
        ".dash-checklist .dash-options-list-option[role], .dash-checklist .dash-options-list-option[aria-selected]," +
          ".dash-radioitems .dash-options-list-option[role], .dash-radioitems .dash-options-list-option[aria-selected]"
      )
      .forEach(function (option) {
        option.removeAttribute("role");
        option.removeAttribute("aria-selected");
      });
    // button-name: the table pager's buttons are icons only.
    document.querySelectorAll(".previous-next-container button").forEach(function (button) {
      if (button.hasAttribute("aria-label")) return;
      for (var name in PAGER) {
        if (button.classList.contains(name)) button.setAttribute("aria-label", PAGER[name]);
      }
    });
    document.querySelectorAll(".previous-next-container input.current-page").forEach(function (input) {
      if (!input.hasAttribute("aria-label")) input.setAttribute("aria-label", "Page number");
    });
    // aria-input-field-name, label: dcc.Slider's thumb and value box carry no name;
    // they take the text of the <label for> that names the slider's id.
    document.querySelectorAll(".dash-slider-thumb, .dash-range-slider-input").forEach(function (part) {
      if (part.hasAttribute("aria-label")) return;
      var slider = part.closest("[id]");
      var label = slider && document.querySelector('label[for="' + slider.id + '"]');
      if (!label) return;
      var name = label.textContent.trim();
      part.setAttribute("aria-label", part.classList.contains("dash-slider-thumb") ? name : name + ", typed");
    });
    // label: dcc.Upload's file input has no name of its own.
    document.querySelectorAll("#upload-data input[type=file]").forEach(function (input) {
      if (!input.hasAttribute("aria-label")) input.setAttribute("aria-label", "Choose a data file");
    });
  }

  // Plotly redraws its SVG constantly while a cut is dragged: ignore what happens
  // inside plots, and repair at most once per frame.
  var scheduled = false;
  function schedule(records) {
    if (scheduled) return;
    var outsidePlots = records.some(function (record) {
      var target = record.target;
      return !(target.closest && target.closest(".js-plotly-plot"));
    });
    if (!outsidePlots) return;
    scheduled = true;
    window.requestAnimationFrame(function () {
      scheduled = false;
      repair();
    });
  }

  // A dropdown opened with Enter puts the focus on its first option, where typing
  // does nothing. A letter typed there goes to the menu's search box instead, so
  // a menu can be typed into as soon as it opens (the key lands in the box).
  function typeIntoSearch(event) {
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    var menu = active && active.closest && active.closest(".dash-dropdown-content");
    if (!menu || active.classList.contains("dash-dropdown-search")) return;
    var search = menu.querySelector("input.dash-dropdown-search");
    if (search) search.focus();
  }

  // A multi dropdown's "Select All" and "Deselect All" buttons: Dash 4 moves Tab between
  // the search box and the options only, so the keyboard never reaches them. Tab from the
  // search box goes on to them, one after the other, and from the last into the options
  // (Dash's own handler, which this leaves alone there); Shift+Tab walks back.
  function tabToActions(event) {
    if (event.key !== "Tab" || event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    var menu = active && active.closest && active.closest(".dash-dropdown-content");
    if (!menu) return;
    var actions = Array.prototype.slice.call(menu.querySelectorAll(".dash-dropdown-action-button"));
    if (!actions.length) return;
    var search = menu.querySelector("input.dash-dropdown-search");
    var at = actions.indexOf(active), next = null;
    if (active === search && !event.shiftKey) next = actions[0];
    else if (at >= 0 && event.shiftKey) next = at > 0 ? actions[at - 1] : search;
    else if (at >= 0 && at < actions.length - 1) next = actions[at + 1];
    if (!next) return;
    event.preventDefault();
    event.stopPropagation();
    next.focus();
  }

  // Keyboard paths for what the mouse does in the diagnostics: with an elbow or
  // quality plot focused, left and right choose k (as typing it in the k field
  // would); with the clusters table focused, up and down choose the row whose
  // cluster is highlighted (as clicking it would).
  function chooseByKeys(event) {
    var el = document.activeElement, dash = window.dash_clientside;
    if (!el || !dash || !dash.set_props) return;
    if (el.classList.contains("k-plot-keys") && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
      var k = Number((document.getElementById("n-clusters") || {}).value);
      if (!(k >= 1)) return;
      event.preventDefault();
      // typed and Enter pressed: the cut reads the field's value on n_submit (any count)
      dash.set_props("n-clusters", {value: Math.max(1, k + (event.key === "ArrowRight" ? 1 : -1)), n_submit: 1});
    } else if (el.id === "summary-keys" && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      var cells = el.querySelectorAll("#cluster-summary tbody tr td:first-child");
      if (!cells.length) return;
      event.preventDefault();
      var last = el.getAttribute("data-row"), row = last === null ? NaN : Number(last);
      row = isNaN(row) ? (event.key === "ArrowDown" ? 0 : cells.length - 1)
        : Math.min(cells.length - 1, Math.max(0, row + (event.key === "ArrowDown" ? 1 : -1)));
      el.setAttribute("data-row", String(row));
      var column = cells[row].getAttribute("data-dash-column");
      dash.set_props("cluster-summary", {active_cell: {row: row, column: 0, column_id: column}});
      // the table moves the focus to the active cell, where Tab walks cell by cell:
      // keep it on the table, so the arrows go on choosing rows and Tab leaves
      setTimeout(function () { el.focus(); }, 100);
    }
  }

  function start() {
    repair();
    document.addEventListener("keydown", typeIntoSearch, true);
    document.addEventListener("keydown", tabToActions, true);
    document.addEventListener("keydown", chooseByKeys);
    new MutationObserver(schedule).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["role", "aria-selected", "aria-labelledby", "tabindex", "disabled"],
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
