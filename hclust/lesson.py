"""The guided lesson: the tutorial's story as steps of data, told with the core's own numbers.

Each :class:`Step` holds the complete state the page is set to (dataset,
method, metric, criterion and its parameters, truncation, annotation,
inconsistency depth, pinned merges) and a text template. A template holds no
number of its own: every number in it is a placeholder filled by
:func:`step_text` from :func:`lesson_facts`, which computes them with the
same core functions the page uses (scipy's linkage, ``fcluster``,
``cophenet``, ``inconsistent``, the elbow).

Pure: numpy and scipy only, never dash or plotly.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import dendrogram as scipy_dendrogram

from .cut import TreeIndex, flat_clusters
from .data import load_preset
from .dendrogram import members
from .diagnostics import cophenetic_correlation, elbow, inconsistency_table
from .linkage import compute_linkage

# The parts of the page a step can point at (element ids in components/layout.py).
PANELS = (
    "scatter-card",
    "dendrogram-card",
    "linkage-panel",
    "inconsistency-panel",
    "elbow-panel",
    "summary-panel",
)

# Every step sets all of these; the page's controls take exactly these values.
BASE_STATE = {
    "dataset": "tutorial-2-blobs",
    "scaling": "none",
    "missing": "drop",
    "method": "ward",
    "metric": "euclidean",
    "optimal_order": False,
    "truncate_mode": "none",
    "p": 12,
    "criterion": "distance",
    "height": 50.0,
    "k": 2,
    "t": 8.0,
    "depth": 10,
    "annotate_above": None,
    "inconsistency_depth": 5,
    "merge_step": None,
    "merge_pins": None,
}


@dataclass(frozen=True)
class Step:
    """One step of the lesson.

    Parameters
    ----------
    title : str
    panel : str
        Id of the panel the step is about (one of :data:`PANELS`).
    state : dict
        The whole page state: :data:`BASE_STATE` with this step's changes.
    template : str
        Two to four sentences; ``{name}`` placeholders are filled from
        :func:`lesson_facts` and from `state`. No digit is typed in.
    table : str, optional
        Name of a table in the facts shown under the text.
    """

    title: str
    panel: str
    state: dict
    template: str
    table: str | None = None
    changes: dict = field(default_factory=dict)


def _step(title, panel, template, table=None, **changes):
    unknown = set(changes) - set(BASE_STATE)
    if unknown:
        raise ValueError(f"unknown state keys {sorted(unknown)}")
    return Step(title, panel, {**BASE_STATE, **changes}, template, table, changes)


STEPS = (
    _step(
        "The data",
        "scatter-card",
        "These are {n} points with {m} features each, one point per row of the data matrix X. "
        "They were drawn from two Gaussian groups; the clustering is not told which point came "
        "from which. Every colour on the scatter is decided by the tree alone.",
    ),
    _step(
        "The linkage matrix Z and its first merges",
        "linkage-panel",
        "Ward linkage starts with every point alone and joins the closest two clusters, "
        "{rows} times, one row of Z per join. Row {r0} joins samples {z0_a} and {z0_b} at "
        "distance {z0_d}; row {r1} joins {z1_a} and {z1_b} at {z1_d}. The last column counts "
        "the samples in the new cluster: {z0_n} for both.",
        merge_step=1,
    ),
    _step(
        "Indices of n and above are earlier merges",
        "linkage-panel",
        "Row {r13} of Z joins {z13_a} and {z13_b} at {z13_d}. With n = {n} samples, an index "
        "of {n} or more is no sample: {z13_ref} names the cluster made in row {z13_ref_row} "
        "(= {z13_ref} − {n}), samples {z13_ref_members}. So row {r13} holds samples "
        "{z13_members}, a cluster of {z13_n}.",
        merge_step=13,
    ),
    _step(
        "Two merges side by side",
        "scatter-card",
        "Z[{pin_a}] (red) is samples {pin_a_members}, joined at {pin_a_d}; Z[{pin_b}] (yellow) "
        "is samples {pin_b_members}, joined at {pin_b_d}. On the scatter the points of each "
        "sit almost on top of each other: early merges join very close points.",
        merge_pins=(13, 14),
    ),
    _step(
        "The full dendrogram, and how to read it",
        "dendrogram-card",
        "Each leaf at the bottom is a sample; each ∩ joins two clusters at the height of the "
        "merge. The last four merges are at {last4}: the long legs below {last} show two groups "
        "far apart. The cophenetic correlation c = {c} says the tree's heights keep the "
        "original distances well.",
    ),
    _step(
        "The truncated dendrogram",
        "dendrogram-card",
        "With lastp and p = {p} only the last {p} clusters are drawn as leaves. A label in "
        "parentheses is the number of samples under a contracted branch: here {lastp_counts}; "
        "{lastp_total} samples in all. Dots on the links mark the merges hidden in those branches.",
        truncate_mode="lastp",
    ),
    _step(
        "Merge heights written on the tree",
        "dendrogram-card",
        "Each merge above {annotate_above} gets a dot and its height: {annotated}. The dashed "
        "line at {height} is the cut; read the jump between the two highest labels to see why "
        "it sits there.",
        truncate_mode="lastp",
        annotate_above=10.0,
    ),
    _step(
        "A cut at the big jump",
        "scatter-card",
        "Cutting at {height}, fcluster keeps every merge below the line: {k50} clusters, of "
        "{sizes50} samples. The scatter shows them in the dendrogram's colours.",
    ),
    _step(
        "A lower cut",
        "scatter-card",
        "Cutting at {height16} instead keeps the merges below it: {k16} clusters, of "
        "{sizes16} samples. The line now crosses {k16} vertical legs of the dendrogram.",
        height=16.0,
    ),
    _step(
        "Inconsistency at two depths",
        "inconsistency-panel",
        "The inconsistency of a merge compares its height with the mean and spread of the "
        "merges up to depth levels below it. For the last merge it is {inc5_last} at depth "
        "{depth_a} but {inc3_last} at depth {depth_b}: the same tree, another verdict. The "
        "table compares the last merges at both depths.",
        table="inconsistency",
    ),
    _step(
        "The elbow, on X and then on X2",
        "elbow-panel",
        "The elbow looks for the largest acceleration of the last merge distances. On X it "
        "suggests k = {elbow_x}. On X2, shown now, it suggests k = {elbow_x2}, though X2 is "
        "X with three more blobs of growing spread: wide blobs merge high inside themselves, "
        "so the jumps it compares come from different branches. The scatter shows X2 cut into "
        "k = {k} clusters.",
        dataset="tutorial-5-blobs",
        truncate_mode="lastp",
        p=30,
        criterion="maxclust",
        k=5,
        height=None,
    ),
    _step(
        "Three ways to ask fcluster",
        "summary-panel",
        "By distance at {height}: {k50} clusters. By maxclust with k = {k}: {k_maxclust} "
        "clusters, of {sizes_maxclust}. By inconsistent with t = {t} and depth {depth}, "
        "shown now: {k_inconsistent} clusters, of {sizes_inconsistent}.",
        criterion="inconsistent",
    ),
    _step(
        "The final clusters",
        "scatter-card",
        "The cut at {height} gives {k50} clusters of {sizes50} samples, and the tree agrees "
        "with the distances (c = {c}). Leave the lesson at any step to explore; the card "
        "remembers where you were.",
    ),
)
N_STEPS = len(STEPS)
# Step 10 sets the page's inconsistency depth; the card shows this one beside it.
COMPARED_DEPTH = 3
# What the facts depend on besides the data: every step's state (a cache key part).
STATES_DIGEST = hashlib.sha256(
    repr([sorted(s.state.items()) for s in STEPS] + [COMPARED_DEPTH]).encode()
).hexdigest()


def step(number: int) -> Step:
    """Step `number`, counted from 1 as the page shows it."""
    if not isinstance(number, (int, np.integer)) or not 1 <= number <= N_STEPS:
        raise ValueError(f"a lesson step is a whole number from 1 to {N_STEPS}")
    return STEPS[int(number) - 1]


def _sizes(labels) -> list:
    """Cluster sizes by fcluster's label, 1 first."""
    return np.bincount(np.asarray(labels))[1:].tolist()


def _row(Z, i, n, tree):
    a, b, d, count = Z[i]
    return {
        "a": int(a),
        "b": int(b),
        "d": float(d),
        "n": int(count),
        "members": sorted(int(s) for s in members(tree, n + i)),
    }


def lesson_facts(X: np.ndarray, X2: np.ndarray) -> dict:
    """Every number the lesson quotes, computed by the core from the data.

    Parameters
    ----------
    X, X2 : ndarray
        The tutorial's data sets (:func:`hclust.data.tutorial_blobs`).

    Returns
    -------
    dict
        Plain numbers and lists (JSON-ready), by name.
    """
    base = BASE_STATE
    method, metric = base["method"], base["metric"]
    Z = compute_linkage(X, method, metric)
    Z2 = compute_linkage(X2, method, metric)
    tree = TreeIndex.from_linkage(Z)
    n, m = X.shape
    facts = {"n": n, "m": m, "rows": n - 1}
    rows = {i: _row(Z, i, n, tree) for i in (0, 1, 13, 14)}
    facts["z"] = {str(i): row for i, row in rows.items()}
    # the index of row 13 that is a cluster, not a sample
    ref = max(rows[13]["a"], rows[13]["b"])
    facts["z13_ref"] = ref
    facts["z13_ref_row"] = ref - n
    facts["z13_ref_members"] = sorted(int(s) for s in members(tree, ref))
    facts["last4"] = Z[-4:, 2].tolist()
    facts["c"] = float(cophenetic_correlation(Z, X, metric).coefficient)
    p = step(6).state["p"]
    shown = scipy_dendrogram(Z, truncate_mode="lastp", p=p, no_plot=True)["ivl"]
    counts = [int(label.strip("()")) for label in shown if label.startswith("(")]
    facts["lastp_counts"] = counts
    facts["lastp_total"] = int(sum(counts)) + sum(1 for label in shown if label[0] != "(")
    above = step(7).state["annotate_above"]
    facts["annotated"] = [float(h) for h in Z[:, 2] if h > above]
    for name, height in (("50", step(8).state["height"]), ("16", step(9).state["height"])):
        labels = flat_clusters(Z, "distance", height=height)
        facts[f"k{name}"] = int(labels.max())
        facts[f"sizes{name}"] = _sizes(labels)
    facts["height16"] = step(9).state["height"]
    depth_a, depth_b = step(10).state["inconsistency_depth"], COMPARED_DEPTH
    last = 4
    table_a = inconsistency_table(Z, depth_a, last)
    table_b = inconsistency_table(Z, depth_b, last)
    facts["depth_a"], facts["depth_b"] = depth_a, depth_b
    facts["inc5_last"] = float(table_a[-1, 3])
    facts["inc3_last"] = float(table_b[-1, 3])
    facts["inconsistency"] = {
        "columns": ["row of Z", "height", f"depth {depth_a}", f"depth {depth_b}"],
        "rows": [
            [n - 1 - last + i, float(Z[n - 1 - last + i, 2]), float(a[3]), float(b[3])]
            for i, (a, b) in enumerate(zip(table_a, table_b))
        ],
    }
    facts["elbow_x"] = int(elbow(Z).suggested_k)
    facts["elbow_x2"] = int(elbow(Z2).suggested_k)
    asked = step(12).state
    maxclust = flat_clusters(Z, "maxclust", k=asked["k"])
    facts["k_maxclust"] = int(maxclust.max())
    facts["sizes_maxclust"] = _sizes(maxclust)
    inconsistent = flat_clusters(Z, "inconsistent", t=asked["t"], depth=asked["depth"])
    facts["k_inconsistent"] = int(inconsistent.max())
    facts["sizes_inconsistent"] = _sizes(inconsistent)
    return facts


def tutorial_facts() -> dict:
    """:func:`lesson_facts` of the tutorial's presets, as the page loads them."""
    return lesson_facts(
        load_preset("tutorial-2-blobs").values, load_preset("tutorial-5-blobs").values
    )


def number(value) -> str:
    """A number as the page writes it: grouped thousands, at most five decimals."""
    if isinstance(value, (list, tuple)):
        return ", ".join(number(v) for v in value)
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise ValueError("not a number")
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.5f}".rstrip("0")


def members_text(samples) -> str:
    return "{" + ", ".join(str(s) for s in samples) + "}"


def fields(template: str) -> set:
    """The placeholder names of a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def step_values(number_: int, facts: dict) -> dict:
    """The text of every placeholder step `number_` may use."""
    state = step(number_).state
    values = {}
    for key in ("n", "m", "rows", "z13_ref", "z13_ref_row", "k50", "k16", "height16"):
        values[key] = number(facts[key])
    for key in ("last4", "lastp_counts", "lastp_total", "annotated", "sizes50", "sizes16"):
        values[key] = number(facts[key])
    for key in ("elbow_x", "elbow_x2", "k_maxclust", "k_inconsistent", "depth_a", "depth_b"):
        values[key] = number(facts[key])
    values["sizes_maxclust"] = number(facts["sizes_maxclust"])
    values["sizes_inconsistent"] = number(facts["sizes_inconsistent"])
    values["last"] = number(facts["last4"][-1])
    values["c"] = number(facts["c"])
    values["inc5_last"] = number(facts["inc5_last"])
    values["inc3_last"] = number(facts["inc3_last"])
    values["z13_ref_members"] = members_text(facts["z13_ref_members"])
    for i in ("0", "1", "13"):
        row = facts["z"][i]
        values[f"r{i}"] = i
        values[f"z{i}_a"], values[f"z{i}_b"] = number(row["a"]), number(row["b"])
        values[f"z{i}_d"], values[f"z{i}_n"] = number(row["d"]), number(row["n"])
        values[f"z{i}_members"] = members_text(row["members"])
    pins = state["merge_pins"] or step(4).state["merge_pins"]
    for name, row in zip(("pin_a", "pin_b"), pins):
        values[name] = str(row)
        values[f"{name}_members"] = members_text(facts["z"][str(row)]["members"])
        values[f"{name}_d"] = number(facts["z"][str(row)]["d"])
    for key in ("height", "p", "annotate_above", "k", "t", "depth"):
        if state[key] is not None:
            values[key] = number(state[key])
    return values


def step_text(number_: int, facts: dict) -> str:
    """Step `number_`'s sentences, filled with the facts' numbers."""
    return step(number_).template.format(**step_values(number_, facts))
