"""The panel of merges step by step (#13 §2, §3): a step control, Z[i] explained, pins, the exercise.

Element ids (a contract with the lesson and with tests): ``merge-step`` (a
dcc.Slider whose value is the row i of Z), ``merge-play``, ``merge-info``,
``merge-pins`` (a dcc.Store: at most two rows of Z, drawn red then yellow).
"""

from __future__ import annotations

from dash import dcc, html

from components.figures import EXPORT_CONFIG, placeholder_figure

PLAY_INTERVAL_MS = 900
PLAY_LABEL, PAUSE_LABEL = "▶ Play", "⏸ Pause"


def merge_stores():
    """Stores the panel owns; the lesson writes ``merge-pins`` too."""
    return [dcc.Store(id="merge-pins", data=[]), dcc.Store(id="merge-guess")]


def zoom_control():
    """The dendrogram's height axis focused on the clusters below the cut (§5)."""
    return dcc.Checklist(
        id="dendrogram-zoom",
        options=[{"label": " zoom below the cut", "value": "below"}],
        value=[],
        className="checklist",
    )


def _button(label, button_id, title, primary=False, **attributes):
    return html.Button(
        label,
        id=button_id,
        className="button-primary" if primary else "button-secondary",
        n_clicks=0,
        title=title,
        **attributes,
    )


def merge_steps_panel():
    """Slider, play/pause, Z[i] and what decided it, pins, the exercise, and two plots."""
    graph_style = {"height": "420px"}
    return html.Section(
        [
            html.H3("Merges step by step", className="panel-title"),
            html.Div(
                [
                    _button("◀ Back", "merge-back", "Step back one merge (or ← on the slider)"),
                    _button(
                        PLAY_LABEL,
                        "merge-play",
                        "Play the merges one by one, or pause",
                        # the browser switches the label (assets/merge_play.js)
                        **{"data-play": PLAY_LABEL, "data-pause": PAUSE_LABEL},
                    ),
                    _button("Next ▶", "merge-forward", "Step forward one merge (or →)"),
                    html.Label("Merge i", htmlFor="merge-step", className="field-label"),
                    html.Div(
                        dcc.Slider(
                            id="merge-step",
                            min=0,
                            max=1,
                            step=1,
                            value=0,
                            marks=None,
                            tooltip={"placement": "bottom", "always_visible": True},
                        ),
                        className="merge-slider",
                    ),
                    dcc.Interval(id="merge-timer", interval=PLAY_INTERVAL_MS, disabled=True),
                ],
                className="merge-controls",
            ),
            html.Div(
                id="merge-info", className="merge-info", role="status", **{"aria-live": "polite"}
            ),
            html.Div(id="merge-evidence", className="merge-evidence"),
            html.Div(
                [
                    _button(
                        "Pin this merge", "merge-pin", "Draw it red (first) or yellow (second)"
                    ),
                    _button("Clear pins", "merge-unpin", "Remove both pinned merges"),
                    _button(
                        "Predict the next merge",
                        "merge-predict",
                        "Click two clusters in the samples plot that you expect to merge next",
                        primary=True,
                    ),
                    html.Div(
                        id="merge-verdict",
                        className="merge-verdict",
                        role="status",
                        **{"aria-live": "polite"},
                    ),
                ],
                className="merge-actions",
            ),
            html.Div(
                [
                    html.Div(
                        dcc.Graph(
                            id="merge-dendrogram",
                            figure=placeholder_figure("Waiting for the linkage…"),
                            config=EXPORT_CONFIG,
                            style=graph_style,
                        ),
                        className="plot-card",
                    ),
                    html.Div(
                        dcc.Graph(
                            id="merge-scatter",
                            figure=placeholder_figure("Waiting for the linkage…"),
                            config=EXPORT_CONFIG,
                            style=graph_style,
                        ),
                        className="plot-card",
                    ),
                ],
                className="merge-plots",
            ),
        ],
        id="merge-steps-panel",
        className="panel merge-steps-panel",
        **{"aria-label": "Merges step by step"},
    )
