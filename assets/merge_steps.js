// Rows of the linkage table reachable by keyboard: the first cell of each row
// (the "row" column) joins the tab order, and Enter or Space clicks it, which
// selects the row as a mouse click does (callbacks/merge_steps.py steps to it).
(function () {
    function tabbable() {
        var cells = document.querySelectorAll('#linkage-table td[data-dash-column="row"]');
        for (var i = 0; i < cells.length; i++) {
            if (cells[i].getAttribute("tabindex") !== "0") {
                cells[i].setAttribute("tabindex", "0");
                cells[i].setAttribute("role", "button");
                cells[i].setAttribute("aria-label", "Step to merge " + cells[i].textContent.trim());
            }
        }
    }
    document.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" && event.key !== " ") {
            return;
        }
        var cell = event.target;
        if (!cell || !cell.closest || !cell.closest("#linkage-table") || cell.tagName !== "TD") {
            return;
        }
        event.preventDefault();
        cell.click();
    });
    var pending = false;
    new MutationObserver(function () {
        if (!pending) {
            pending = true;
            window.requestAnimationFrame(function () {
                pending = false;
                tabbable();
            });
        }
    }).observe(document.documentElement, {childList: true, subtree: true});
})();
