// Cuts at several levels (callbacks/partition.py): Undo and Redo are enabled from the cut
// store's own lists, in the browser, without a request.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    partition: {
        history: function (cut) {
            var edits = (cut && cut.edits) || [];
            var redo = (cut && cut.redo) || [];
            return [edits.length === 0, redo.length === 0];
        },
    },
});
