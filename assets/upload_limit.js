// Explain an over-limit upload on the page before sending it; the server
// refuses it anyway (HTTP 413) if a browser skips this check.
(function () {
    function limitBytes() {
        var holder = document.getElementById("upload-limit");
        return holder ? parseFloat(holder.getAttribute("data-limit-mb")) * 1024 * 1024 : Infinity;
    }
    function check(files) {
        if (!files || !files.length || !window.dash_clientside) {
            return;
        }
        var file = files[0];
        if (file.size > limitBytes()) {
            var mb = (file.size / 1024 / 1024).toFixed(1);
            var limit = document.getElementById("upload-limit").getAttribute("data-limit-mb");
            window.dash_clientside.set_props("data-status", {
                children: "⚠ " + file.name + " is " + mb + " MB, over the upload limit of " + limit +
                    " MB (MAX_UPLOAD_MB). The data loaded before is unchanged."
            });
        }
    }
    document.addEventListener("change", function (event) {
        if (event.target.closest && event.target.closest("#upload-data")) {
            check(event.target.files);
        }
    }, true);
    document.addEventListener("drop", function (event) {
        if (event.target.closest && event.target.closest("#upload-data") && event.dataTransfer) {
            check(event.dataTransfer.files);
        }
    }, true);
})();
