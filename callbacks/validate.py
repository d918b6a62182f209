"""Checks on what a callback reads from the browser, before it uses it.

Every value a callback receives travels in a request anyone can write, so
each callback checks the type and range of its arguments in its first lines.
A check returns the value (numbers as Python ``int``/``float``) or raises
:class:`hclust.errors.InputError` naming the value and what it must be. The
app's ``on_error`` handler (``services/request_guard.py``) shows that message
in the callback's status output, listed in :data:`MESSAGE_OUTPUTS`, or answers
no update when the callback has none.

Values the page itself writes (the ``clustering``, ``cut`` and other stores)
are checked for the keys and types the callbacks read; extra keys are kept, so
a store can grow without changing these checks.
"""

from __future__ import annotations

import logging
import math

from hclust.cut import CRITERIA, OVERFLOW
from hclust.errors import InputError
from hclust.linkage import METHODS, METRICS
from hclust.partition import ACTIONS, MAX_EDITS

log = logging.getLogger("hclust.requests")

# Where a callback's refusal is shown: "component-id.property".
MESSAGE_OUTPUTS = (
    "data-status.children",
    "clustering-status.children",
    "cut-status.children",
    "view-status.children",
    "quality-status.children",
    "node-panel.children",
    "cophenetic.children",
    "inconsistency.children",
    "label-agreement.children",
    "label-agreement-k-status.children",
    "cluster-profiles-status.children",
)

# No list the page sends is longer than a dataset is tall.
MAX_ITEMS = 1_000_000
MAX_TEXT = 10_000
MAX_SAMPLES = 10_000_000


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(value) -> bool:
    """A finite float; False too for an integer past float range (JSON allows 400 digits)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def number(value, name, low=-math.inf, high=math.inf, optional=False):
    """A finite number from `low` to `high` (None when `optional`)."""
    if value is None and optional:
        return None
    if not _is_number(value) or not _finite(value) or not low <= value <= high:
        bounds = "" if (low, high) == (-math.inf, math.inf) else f" from {low:,} to {high:,}"
        raise InputError(f"{name} must be a number{bounds}; got {_show(value)}.")
    return float(value)


def whole_number(value, name, low, high, optional=False):
    """A whole number from `low` to `high` (an integral float is accepted)."""
    if value is None and optional:
        return None
    if (
        not _is_number(value)
        or not _finite(value)
        or not float(value).is_integer()
        or not low <= value <= high
    ):
        raise InputError(
            f"{name} must be a whole number from {low:,} to {high:,}; got {_show(value)}."
        )
    return int(value)


def one_of(value, name, choices, optional=False):
    """One of `choices` (compared only when the value is a string, number or None)."""
    if value is None and optional:
        return None
    if not isinstance(value, (str, int, float)) or value not in choices:
        shown = ", ".join(map(str, choices))
        raise InputError(f"{name} must be one of: {shown}; got {_show(value)}.")
    return value


def text(value, name, max_length=MAX_TEXT, optional=False):
    """A string of at most `max_length` characters."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise InputError(f"{name} must be text of at most {max_length:,} characters.")
    return value


def flag(value, name):
    """A boolean, as Dash stores and checkboxes send them."""
    if not isinstance(value, bool):
        raise InputError(f"{name} must be true or false; got {_show(value)}.")
    return value


def mapping_with(value, name, keys=(), optional=False):
    """A dict (JSON object) holding at least `keys`; None when `optional` and empty."""
    if value is None and optional:
        return None
    if not isinstance(value, dict):
        raise InputError(f"{name} must be an object; got {_show(value)}.")
    missing = [key for key in keys if key not in value]
    if missing:
        raise InputError(f"{name} lacks {', '.join(missing)}.")
    return value


def list_of(value, name, item=None, max_items=MAX_ITEMS, optional=False):
    """A list of at most `max_items`, each passing `item(element, label)` when given."""
    if value is None and optional:
        return None
    if not isinstance(value, list) or len(value) > max_items:
        raise InputError(f"{name} must be a list of at most {max_items:,} items.")
    if item is not None:
        return [item(element, f"{name}[{i}]") for i, element in enumerate(value)]
    return value


def strings(value, name, optional=True):
    """A list of strings, as checklists and multi-select dropdowns send them."""
    return list_of(value, name, text, optional=optional)


def _show(value) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:40] + "…"


# --- the stores the page writes and sends back ---------------------------------


def data_version(value, optional=True):
    """The ``data-version`` store: ``{"key", "n"}`` of the data the page shows."""
    if not value and optional:
        return None
    mapping_with(value, "The data version", ("key", "n"))
    text(value["key"], "The data key", 200)
    whole_number(value["n"], "The number of samples", 1, MAX_SAMPLES)
    return value


def clustering(value, optional=True):
    """The ``clustering`` store: the summary :func:`callbacks.clustering.compute_clustering` wrote."""
    if not value and optional:
        return None
    mapping_with(value, "The clustering", ("key", "method", "metric", "n", "default_cut"))
    text(value["key"], "The data key", 200)
    one_of(value["method"], "The linkage method", METHODS)
    one_of(value["metric"], "The distance metric", METRICS)
    whole_number(value["n"], "The number of samples", 1, MAX_SAMPLES)
    number(value["default_cut"], "The default cut", 0)
    if "optimal_order" in value:
        flag(value["optimal_order"], "Optimal ordering")
    return value


def cut(value, optional=True):
    """The ``cut`` store: one cut state (see :func:`callbacks.cut.resolve_cut`)."""
    if not value and optional:
        return None
    mapping_with(value, "The cut", ("clustering", "criterion", "k"))
    clustering(value["clustering"], optional=False)
    one_of(value["criterion"], "The criterion", CRITERIA)
    whole_number(value["k"], "k", 1, MAX_SAMPLES)
    number(value.get("height"), "The cut height", 0, optional=True)
    # t and depth are kept as typed (a distance cut ignores them); fcluster checks their range
    number(value.get("t"), "The threshold t", optional=True)
    number(value.get("depth"), "The depth", optional=True)
    if "nudged" in value:
        whole_number(value["nudged"], "The keyboard's steps", -(2**53), 2**53)
    if "base_k" in value:
        whole_number(value["base_k"], "The cut's own k", 1, MAX_SAMPLES)
    for key, name in (("edits", "The splits and merges"), ("redo", "The undone splits and merges")):
        list_of(value.get(key), name, _edit, max_items=MAX_EDITS, optional=True)
    return value


def _edit(value, name):
    """One split or merge: ``[action, node]``; whether the node applies is the tree's to say."""
    list_of(value, name, max_items=2)
    if len(value) != 2:
        raise InputError(f"{name}: each is an action and a node.")
    one_of(value[0], name, ACTIONS)
    whole_number(value[1], name, 0, 2 * MAX_SAMPLES)


def highlight(value, n=MAX_SAMPLES):
    """The ``highlight`` store: ``{"node"}``, ``{"cluster"}`` or ``{"samples"}``, or None.

    Only types are checked here; whether a node or sample exists is decided
    where it is used, against the server's own tree.
    """
    if not value:
        return None
    mapping_with(value, "The highlight")
    if "node" in value:
        whole_number(value["node"], "The highlighted merge", 0, 2 * n)
    elif "cluster" in value:
        whole_number(value["cluster"], "The highlighted cluster", 1, n)
    elif "samples" in value:
        list_of(
            value["samples"], "The highlighted samples", lambda v, s: whole_number(v, s, 0, n - 1)
        )
    else:
        raise InputError("The highlight names no merge, cluster or samples.")
    return value


def focus(value):
    """The ``focus`` store: ``{"node", "clustering"}`` of a branch shown in full, or None."""
    if not value:
        return None
    mapping_with(value, "The focused branch", ("node", "clustering"))
    whole_number(value["node"], "The focused merge", 0, 2 * MAX_SAMPLES)
    return value


def colour_map(value):
    """The ``colour-map`` store: the colours the views last drew, or None."""
    if not value:
        return None
    mapping_with(value, "The colour map", ("clustering", "nodes"))
    nodes = mapping_with(value["nodes"], "The coloured nodes")
    for node, colour in nodes.items():
        if not node.isdigit():
            raise InputError(f"The coloured nodes name {_show(node)}, not a merge.")
        # a palette index, or OVERFLOW (pale grey) for clusters past the palette
        whole_number(colour, f"The colour of node {node}", OVERFLOW, 2**31)
    mapping_with(value.get("labels", {}), "The cluster colours")
    return value


def event(value, name):
    """A plotly event (clickData, selectedData, relayoutData): an object, or None."""
    return mapping_with(value, name, optional=True) or None


def sample_offer(value):
    """The ``sample-offer`` store: ``{"rows", "of"}``, or None."""
    if not value:
        return None
    mapping_with(value, "The sample offer", ("rows", "of"))
    whole_number(value["rows"], "The sample's rows", 2, MAX_SAMPLES)
    whole_number(value["of"], "The data's rows", 2, MAX_SAMPLES)
    return value


def table_cell(value):
    """A DataTable ``active_cell``: ``{"row", ...}``, or None."""
    if not value:
        return None
    mapping_with(value, "The clicked cell", ("row",))
    whole_number(value["row"], "The clicked row", 0, MAX_SAMPLES)
    return value


def summary_rows(value):
    """The cluster table's rows: objects with a whole ``cluster``."""

    def row(element, name):
        mapping_with(element, name, ("cluster",))
        whole_number(element["cluster"], f"{name}'s cluster", 1, MAX_SAMPLES)
        return element

    return list_of(value, "The cluster table", row, optional=True)


def clustering_request(value):
    """The ``linkage-job`` store: a clustering request for the background job."""
    mapping_with(value, "The clustering request", ("id", "data_version", "method", "metric"))
    text(value["id"], "The request id", 1_000)
    data_version(value["data_version"], optional=False)
    # which method and metric: checked, with the page's message, as the job starts
    text(value["method"], "The linkage method", 100, optional=True)
    text(value["metric"], "The distance metric", 100, optional=True)
    flag(value.get("optimal_order", False), "Optimal ordering")
    return value


def quality_request(value):
    """The ``quality-job`` store: a quality-per-k request for the background job."""
    mapping_with(value, "The quality request", ("clustering", "max_k"))
    clustering(value["clustering"], optional=False)
    whole_number(value["max_k"], "Largest k", 3, 30)
    text(value.get("id", ""), "The request id", 1_000)
    return value


def in_job(check, value):
    """`check(value)` in a background job, where a refusal can only be no update.

    Dash hands a job's exceptions to ``on_error`` as text, so a refusal raised in
    a job would read as a bug; it is logged here as one line instead.
    """
    from dash.exceptions import PreventUpdate

    try:
        return check(value)
    except InputError as error:
        log.warning("refused background job input: %s", error)
        raise PreventUpdate from None
