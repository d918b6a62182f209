"""The lesson card, its opener and the presentation-mode toggle (issue 13 §1, §4, §6).

Layout only; callbacks/lesson.py fills and moves the card.
"""

from __future__ import annotations

from dash import dcc, html

from hclust.lesson import N_STEPS


def lesson_header():
    """The header's buttons: start (or return to) the lesson, and presentation mode."""
    return html.Div(
        [
            html.Button(
                "Start the lesson",
                id="lesson-open",
                className="button-primary",
                n_clicks=0,
                title=f"A guided tour of hierarchical clustering in {N_STEPS} steps",
            ),
            dcc.Checklist(
                id="presentation-mode",
                options=[{"label": " presentation mode", "value": "on"}],
                value=[],
                className="checklist presentation-toggle",
                inputStyle={"marginRight": "4px"},
            ),
        ],
        className="lesson-header",
    )


def lesson_card():
    """The card beside the plots: the step's title, its sentences, and the way on."""
    return html.Section(
        [
            html.Div(
                [
                    html.H2(id="lesson-step", className="lesson-title"),
                    html.Button(
                        "×",
                        id="lesson-close",
                        className="button-link lesson-close",
                        n_clicks=0,
                        title="Leave the lesson to explore; it remembers this step",
                        **{"aria-label": "Leave the lesson"},
                    ),
                ],
                className="lesson-head",
            ),
            html.Div(id="lesson-text", className="lesson-text", **{"aria-live": "polite"}),
            html.Div(id="lesson-table", className="lesson-table"),
            html.Div(
                [
                    html.Button(
                        "← Back", id="lesson-back", className="button-secondary", n_clicks=0
                    ),
                    html.Button("Next →", id="lesson-next", className="button-primary", n_clicks=0),
                ],
                className="lesson-nav",
            ),
            html.Button(
                "Copy class link to this step",
                id="lesson-link",
                className="button-link",
                n_clicks=0,
                title="Each student who opens it gets a session of their own at this step",
            ),
            dcc.Input(
                id="lesson-link-box",
                type="text",
                readOnly=True,
                className="share-link",
                style={"display": "none"},
                name="class link to this step",
            ),
            dcc.Store(
                id="lesson-state",
                data={"open": False, "step": 1, "seq": 0, "steps": N_STEPS},
            ),
            dcc.Store(id="lesson-move"),  # Next and Back, counted in the browser
            dcc.Store(id="lesson-applied"),
        ],
        id="lesson",
        className="lesson-card",
        tabIndex="0",
        role="region",
        hidden=True,
        **{"aria-label": "Lesson. Left and right arrow keys move between steps."},
    )
