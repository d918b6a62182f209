// Arrow keys on the focused dendrogram move the cut to the next merge height.
// Each press adds ±1 to a running total sent in the `cut-nudge` store; the
// server applies the difference from the total it last applied, so presses
// that overtake each other are never lost.
var hclustNudgeTotal = 0;
document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") {
        return;
    }
    var card = document.getElementById("dendrogram-card");
    if (!card || !card.contains(document.activeElement) || !window.dash_clientside) {
        return;
    }
    event.preventDefault();
    hclustNudgeTotal += event.key === "ArrowUp" ? 1 : -1;
    window.dash_clientside.set_props("cut-nudge", {data: {total: hclustNudgeTotal}});
});
