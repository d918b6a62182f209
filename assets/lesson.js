// The lesson card (callbacks/lesson.py): page classes, the step's panel highlighted and
// scrolled into view, the arrow keys while the card has focus, and the class link.
window.dash_clientside = Object.assign({}, window.dash_clientside);
window.dash_clientside.lesson = Object.assign({}, window.dash_clientside.lesson, {
    apply: function (state, presenting) {
        var body = document.body;
        var open = !!(state && state.open);
        var wasPresenting = body.classList.contains("presenting");
        var wasOpen = body.classList.contains("lesson-open");
        var on = !!(presenting && presenting.length);
        body.classList.toggle("presenting", on);
        body.classList.toggle("lesson-open", open);
        var marked = document.querySelectorAll(".lesson-highlight");
        for (var i = 0; i < marked.length; i++) {
            marked[i].classList.remove("lesson-highlight");
        }
        var panel = open && state.panel ? document.getElementById(state.panel) : null;
        if (panel) {
            panel.classList.add("lesson-highlight");
        }
        // plotly sizes a plot to its box only when told the window changed
        if (wasPresenting !== on || wasOpen !== open) {
            window.dispatchEvent(new Event("resize"));
        }
        if (panel) {
            // after the plots have taken their new size
            setTimeout(function () {
                panel.scrollIntoView({block: "center", inline: "nearest"});
            }, 60);
        }
        return {open: open, presenting: on, panel: panel ? panel.id : null};
    },
    copyLink: function (clicks) {
        if (!clicks) {
            return window.dash_clientside.no_update;
        }
        var link = window.location.href;
        try {
            if (navigator.clipboard && window.isSecureContext) {
                navigator.clipboard.writeText(link).catch(function () {});
            }
        } catch (e) { /* the link is shown, selected, either way */ }
        setTimeout(function () {
            var box = document.getElementById("lesson-link-box");
            if (box) { box.focus(); box.select(); }
        }, 0);
        return [link, {}];
    }
});

// ← and → move between steps while the card (or a button in it) has focus.
document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") {
        return;
    }
    var card = document.getElementById("lesson");
    var active = document.activeElement;
    if (!card || card.hidden || !card.contains(active) || (active && active.tagName === "INPUT")) {
        return;
    }
    var button = document.getElementById(event.key === "ArrowRight" ? "lesson-next" : "lesson-back");
    if (button && !button.disabled) {
        event.preventDefault();
        button.click();
    }
});

// While the lesson is open: if the drawn dendrogram is not the one the controls and the cut
// describe (its geometry id names truncation and p; its line is the cut), ask for it again.
// Two changes a second apart (truncation, then the cut, as a step's address is restored) can
// leave the plots on the earlier answer with no request pending; the page must not show a
// step's text beside another view. Bounded: at most three asks per step. Still needed once
// the dendrogram's relayouts stopped reaching the cut (assets/relayout.js): without it,
// test_lesson.py's step 1 shows the line at 120 beside a cut at 50.
var lessonRedraw = {timer: null, step: null, asks: 0};
window.dash_clientside.lesson.checkDrawn = function (figure, cut, mode, p, annotate, state) {
    var none = window.dash_clientside.no_update;
    clearTimeout(lessonRedraw.timer);
    if (!state || !state.open || !figure || !figure.layout || !cut || !cut.clustering) {
        return none;
    }
    if (lessonRedraw.step !== state.step) {
        lessonRedraw.step = state.step;
        lessonRedraw.asks = 0;
    }
    var parts = String((figure.layout.meta || {}).geometry || "").split("|");
    var line = (figure.layout.shapes || [])[0];
    var stale = parts.length > 5 && (parts[0] !== cut.clustering.key || parts[4] !== String(mode)
        || parts[5] !== String(p));
    // a cut at a height is drawn as a visible line at that height
    if (cut.criterion === "distance" && typeof cut.height === "number"
        && (!line || line.visible === false || Math.abs(line.y0 - cut.height) > 1e-9 * (1 + cut.height))) {
        stale = true;
    }
    if (stale && lessonRedraw.asks < 3) {
        lessonRedraw.timer = setTimeout(function () {
            lessonRedraw.asks += 1;
            // the same value again: the plots are redrawn, nothing the person chose changes
            var box = document.getElementById("annotate-above");
            var value = box && box.value !== "" ? Number(box.value) : annotate;
            window.dash_clientside.set_props("annotate-above", {value: value});
        }, 2500);
    }
    return none;
};
