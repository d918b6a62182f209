"""Fixtures of the unit tests."""

import pytest

from tests.helpers import cluster, move_cut, new_session, put_preset


@pytest.fixture
def session():
    """A session with the tutorial's two blobs loaded and clustered (ward, euclidean)."""
    session_id = new_session()
    data_version = put_preset(session_id)
    summary, _, _ = cluster(session_id, data_version)
    session = dict(id=session_id, data_version=data_version, clustering=summary, cut=None)
    # the page's first cut: the clustering arrives and there is no cut yet
    session["cut"] = move_cut(session, "clustering.data")["cut"]
    return session
