"""Beside "Copy link": what a link to the view cannot hold, said where the link is made."""

from dash import html

from services import config

LINK_LEAVES_OUT = (
    "Not in the link: a branch shown in full, a selection on the scatter, pinned merges, "
    "the exercise's answers, and the splits or merges undone (Redo's history; those made are "
    "in the link). An upload is named by a reference the server keeps for "
    "{hours:g} hours; after that the link asks for the file again."
)
# A restore from a link checks the page this often (callbacks/share.py counts the checks).
RESTORE_TICK_MS = 400


def share_limits():
    """The note under the Copy link button (callbacks/share.py lists each control in or out)."""
    hours = config.SESSION_TTL_SECONDS / 3600
    return html.P(
        LINK_LEAVES_OUT.format(hours=round(hours, 1)), id="share-limits", className="panel-help"
    )
