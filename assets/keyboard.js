// Arrow keys on the focused dendrogram move the cut to the next merge height.
// The key press becomes a `cut-nudge` store update; the server does the rest.
document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") {
        return;
    }
    var card = document.getElementById("dendrogram-card");
    if (!card || !card.contains(document.activeElement) || !window.dash_clientside) {
        return;
    }
    event.preventDefault();
    window.dash_clientside.set_props("cut-nudge", {
        data: {direction: event.key === "ArrowUp" ? 1 : -1, at: Date.now()}
    });
});
