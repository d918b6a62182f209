"""The ``view-options`` store, as the page opens.

It starts with the options the dendrogram controls' first values give
(components/layout.py), so the page asks the server for nothing to fill it;
``callbacks/view_options.py`` rewrites it when a control changes.
"""

from dash import dcc

# What callbacks.view_options.view_options("auto", 60, ["contracted"], None, "top", "9:-90")
# returns; tests/unit/test_view_options.py checks it against the layout's controls.
FIRST_VIEW_OPTIONS = {
    "truncate_mode": "auto",
    "p": 60,
    "show_contracted": True,
    "annotate_above": None,
    "orientation": "top",
    "leaf_font_size": 9,
    "leaf_rotation": -90,
}


def view_options_store():
    """The store the dendrogram, the scatter and the recolour index read their options from."""
    return dcc.Store(id="view-options", data=dict(FIRST_VIEW_OPTIONS))
