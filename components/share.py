"""Beside "Copy link": what a link to the view cannot hold, said where the link is made."""

from dash import html

from callbacks.share import LINK_LEAVES_OUT
from services import config


def share_limits():
    """The note under the Copy link button (the list is callbacks/share.py's)."""
    hours = config.SESSION_TTL_SECONDS / 3600
    return html.P(
        LINK_LEAVES_OUT.format(hours=round(hours, 1)), id="share-limits", className="panel-help"
    )
