// "Copy link": the address already holds the view (callbacks/share.py keeps it
// current); copy it and show it, selected, for browsers that refuse the clipboard.
window.dash_clientside = Object.assign({}, window.dash_clientside);
window.dash_clientside.hclust = Object.assign({}, window.dash_clientside.hclust, {
        // A new address, unless it is the view the page itself wrote there (view-query):
        // only then does a restore begin (callbacks/share.py begin_restore).
        addressChange: function (search, shown) {
            if (search === null || search === undefined || search === "" || search === "?" ||
                search === shown) {
                return window.dash_clientside.no_update;
            }
            return search;
        },
        // The address the page was opened with, read once as the page starts.
        addressAtLoad: function (session) {
            return window.location.search || null;
        },
        copyViewLink: function (clicks) {
            if (!clicks) {
                return window.dash_clientside.no_update;
            }
            var link = window.location.href;
            try {
                if (navigator.clipboard && window.isSecureContext) {
                    navigator.clipboard.writeText(link).catch(function () {});
                }
            } catch (e) { /* the link is shown below either way */ }
            setTimeout(function () {
                var box = document.getElementById("share-link");
                if (box) { box.focus(); box.select(); }
            }, 0);
            return [link, {}];
        }
});
