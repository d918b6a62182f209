"""The dendrogram's view options, checked once into the ``view-options`` store.

Truncation, p, the dendrogram flags, annotate-above, orientation and the leaf
labels are validated here, by one small callback, into the dict that
:func:`callbacks.shown.dendrogram_options` returns. The views and the recolour
index read that store, so a bad value is refused once, with a message naming
its control, and the plots keep the options they were drawn with.
"""

from dash import Input, Output, callback

from callbacks import validate
from callbacks.errors import shows_errors
from components.figures import ORIENTATIONS
from components.view_options import FIRST_VIEW_OPTIONS
from hclust.dendrogram import P_RANGE, TRUNCATE_MODES
from hclust.errors import InputError

TRUNCATIONS = ("auto", *TRUNCATE_MODES)
DENDROGRAM_FLAGS = ("contracted", "snap")
# "font size:rotation" of the leaf labels, as the leaf-label-style menu offers them.
LEAF_LABEL_STYLES = ("9:-90", "12:-90", "9:-45", "12:0")
# Keys of the store, and so of what dendrogram_options returns.
KEYS = (
    "truncate_mode",
    "p",
    "show_contracted",
    "annotate_above",
    "orientation",
    "leaf_font_size",
    "leaf_rotation",
)


def view_options(truncate_mode, p, flags, annotate_above, orientation, leaf_label_style):
    """The view options the controls give, or an InputError naming the control at fault.

    Returns
    -------
    dict
        ``truncate_mode``, ``p``, ``show_contracted``, ``annotate_above``,
        ``orientation``, ``leaf_font_size`` and ``leaf_rotation``, as
        :func:`callbacks.shown.dendrogram_options` returns them.
    """
    truncate_mode = validate.one_of(truncate_mode, "Truncation", TRUNCATIONS)
    p = validate.whole_number(p, "Truncation's p", *P_RANGE)
    flags = validate.strings(flags, "The dendrogram options") or []
    for flag in flags:
        validate.one_of(flag, "Each dendrogram option", DENDROGRAM_FLAGS)
    annotate_above = validate.number(annotate_above, "Annotate above", 0, optional=True)
    orientation = validate.one_of(orientation, "Orientation", ORIENTATIONS)
    style = validate.one_of(leaf_label_style, "Leaf labels", LEAF_LABEL_STYLES)
    size, rotation = style.split(":")
    return {
        "truncate_mode": truncate_mode,
        "p": p,
        "show_contracted": "contracted" in flags,
        "annotate_above": annotate_above,
        "orientation": orientation,
        "leaf_font_size": int(size),
        "leaf_rotation": int(rotation),
    }


def checked(options):
    """The ``view-options`` store as the page sends it back, checked key by key."""
    validate.mapping_with(options, "The view options", KEYS)
    validate.one_of(options["truncate_mode"], "The view options' truncation", TRUNCATIONS)
    validate.whole_number(options["p"], "The view options' p", *P_RANGE)
    validate.flag(options["show_contracted"], "The view options' contracted dots")
    validate.number(options["annotate_above"], "The view options' annotation", 0, optional=True)
    validate.one_of(options["orientation"], "The view options' orientation", ORIENTATIONS)
    style = f"{options['leaf_font_size']}:{options['leaf_rotation']}"
    validate.one_of(style, "The view options' leaf labels", LEAF_LABEL_STYLES)
    return {
        **{key: options[key] for key in KEYS},
        "p": int(options["p"]),
        "annotate_above": None
        if options["annotate_above"] is None
        else float(options["annotate_above"]),
        "leaf_font_size": int(options["leaf_font_size"]),
        "leaf_rotation": int(options["leaf_rotation"]),
    }


def read_view_options(options):
    """The store as a reader gets it: checked, or the page's first options when it is absent."""
    return checked(options) if options is not None else dict(FIRST_VIEW_OPTIONS)


# Not at page load: the layout gives the store the options of the controls' first values
# (components/view_options.py), so opening the page sends no request for it.
@callback(
    Output("view-options", "data"),
    Input("truncate-mode", "value"),
    Input("truncate-p", "value"),
    Input("dendrogram-flags", "value"),
    Input("annotate-above", "value"),
    Input("orientation", "value"),
    Input("leaf-label-style", "value"),
    prevent_initial_call=True,
)
@shows_errors(outputs=1, status="view-status")
def store_view_options(truncate_mode, p, flags, annotate_above, orientation, leaf_label_style):
    """Check the dendrogram's controls once; a bad value keeps the plots as they were drawn."""
    try:
        return view_options(truncate_mode, p, flags, annotate_above, orientation, leaf_label_style)
    except InputError as error:
        raise InputError(f"{error} The dendrogram keeps the options it was drawn with.") from error
