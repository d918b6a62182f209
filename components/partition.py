"""Cuts at several levels: the buttons that split and merge clusters (callbacks/partition.py).

Element ids (a contract with tests): ``partition-split``, ``partition-merge``,
``partition-undo``, ``partition-redo``.
"""

from __future__ import annotations

from dash import html


def _button(label, button_id, title):
    return html.Button(
        label,
        id=button_id,
        className="button-secondary",
        n_clicks=0,
        disabled=True,
        title=title,
    )


def partition_controls():
    """Split / merge the chosen cluster, undo and redo, under the cut's fields."""
    return html.Div(
        [
            html.Span("Cluster by cluster", className="field-label", id="partition-title"),
            html.Div(
                [
                    _button(
                        "Split cluster",
                        "partition-split",
                        "Split the chosen cluster at its own highest merge",
                    ),
                    _button(
                        "Merge with sibling",
                        "partition-merge",
                        "Join the chosen cluster with its sibling branch in the tree",
                    ),
                    _button("Undo", "partition-undo", "Take back the last split or merge"),
                    _button("Redo", "partition-redo", "Make again the last split or merge undone"),
                ],
                className="button-row",
                role="group",
                **{"aria-labelledby": "partition-title"},
            ),
        ],
        className="partition-controls",
    )
