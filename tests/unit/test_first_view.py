"""A page's first view comes in its layout (issue #11): the browser fires only what reads its address.

A page used to fill itself through 34 callback requests as it loaded. The
server now plays that start once (callbacks/first_view.py), keeps it by the
code that makes it, and serves each new page the answered layout with a
session of its own.
"""

import json

import pytest
from dash import Patch

from app import FIRST_VIEW, server
from callbacks import first_view
from callbacks.data import load_choice
from components.layout import serve_layout
from services import store
from tests.fixtures import tutorial_values as ref
from tests.helpers import apply_patch, as_json

ADDRESS = {"address-at-load.data", "url.search"}


@pytest.fixture(scope="module")
def client():
    return server.test_client()


def props_by_id(layout) -> dict:
    found, todo = {}, [layout]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and isinstance(props.get("id"), str):
                found[props["id"]] = props
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return found


def served_page(client) -> dict:
    answer = client.get("/_dash-layout")
    assert answer.status_code == 200
    return props_by_id(answer.get_json())


def reads(dependency) -> set:
    return {f"{i['id']}.{i['property']}" for i in (*dependency["inputs"], *dependency["state"])}


class TestTheBrowserFiresOnlyWhatReadsTheAddress:
    def test_at_load_no_server_callback_fires_but_those_reading_the_address(self, client):
        dependencies = client.get("/_dash-dependencies").get_json()
        at_load = [
            d
            for d in dependencies
            if not d["prevent_initial_call"] and not d.get("clientside_function")
        ]
        assert at_load, "the restore of a link's view still starts in the browser"
        assert all(reads(d) & ADDRESS for d in at_load), [d["output"][:60] for d in at_load]

    def test_every_callback_the_page_fired_at_load_is_answered_by_the_layout_or_the_browser(self):
        plan = first_view.plan_start(FIRST_VIEW.callbacks, props_by_id(_played_layout()))
        fired_before = {w.key for w in FIRST_VIEW.callbacks if w.fires_at_load and not w.in_browser}
        assert fired_before <= plan.in_layout | plan.left
        assert len(plan.in_layout) >= 5  # the data, the metric, the clustering, ...
        browser_written = {
            name for w in FIRST_VIEW.callbacks if w.key in plan.in_browser for name in w.outputs
        }
        assert "address-at-load.data" in browser_written
        for wiring in FIRST_VIEW.callbacks:
            if wiring.key in plan.left:
                assert {*wiring.inputs, *wiring.states} & browser_written, wiring.key

    def test_no_mark_of_a_pending_answer_is_left_on_an_answered_page(self):
        """A browser-side callback whose every output the layout answers does not fire at load:
        the analyst panels' "pending" dimming would otherwise stay (no answer follows it)."""
        plan = first_view.plan_start(FIRST_VIEW.callbacks, props_by_id(_played_layout()))
        answered = {
            name for w in FIRST_VIEW.callbacks if w.key in plan.played for name in w.outputs
        }
        [pending_mark] = [
            w
            for w in FIRST_VIEW.callbacks
            if "cluster-profiles-panel.className" in w.outputs and w.in_browser
        ]
        assert pending_mark.key not in plan.in_browser
        for wiring in FIRST_VIEW.callbacks:
            if wiring.key in plan.in_browser and not wiring.fires_at_load:
                assert not set(wiring.outputs) <= answered, wiring.key

    def test_the_address_is_written_once_the_page_has_read_it(self, client):
        dependencies = client.get("/_dash-dependencies").get_json()
        [writer] = [d for d in dependencies if d["output"] == "..url.search...view-query.data.."]
        assert "address-at-load.data" in {f"{i['id']}.{i['property']}" for i in writer["inputs"]}


def _played_layout():
    return json.loads(first_view.layout_for_new_page(FIRST_VIEW))


class TestTheLayoutHoldsTheFirstView:
    def test_the_tutorials_tree_and_cut_are_drawn(self, client):
        page = served_page(client)
        assert f"{ref.COPHENETIC_CORRELATION:.3f}" in json.dumps(page["cophenetic"]["children"])
        assert page["cut"]["data"]["k"] == ref.ELBOW_K_X
        assert page["n-clusters"]["value"] == ref.ELBOW_K_X
        sizes = [row["size"] for row in page["cluster-summary"]["data"]]
        assert sorted(sizes) == [50, 100]
        colours = [trace["marker"]["color"] for trace in page["scatter"]["figure"]["data"]]
        assert len(set(map(str, colours))) == 2, "the scatter is coloured by the cut"
        assert page["dendrogram"]["figure"]["data"], "the dendrogram is drawn"
        assert "149 merges" in page["clustering-status"]["children"]

    def test_each_page_gets_its_own_session_holding_its_own_data(self, client):
        first, second = served_page(client), served_page(client)
        token_a, token_b = first["session-id"]["data"], second["session-id"]["data"]
        assert token_a != token_b
        shared = store.get_store()
        data_a, data_b = shared.dataset(token_a), shared.dataset(token_b)
        assert data_a is not None and data_b is not None
        assert data_a.values.shape == ref.X_SHAPE
        for name in ("latest-clustering", "latest-quality"):
            assert shared.session_value(token_a, name) == shared.session_value(token_b, name)
            assert shared.session_value(token_a, name) is not None
        # the second page loads other data: the first keeps its own
        load_choice(
            "tutorial-5-blobs",
            *[None] * 3,
            "none",
            "drop",
            *[None] * 5,
            second["data-version"]["data"],
            token_b,
        )
        assert shared.dataset(token_b).values.shape == ref.X2_SHAPE
        assert shared.dataset(token_a).values.shape == ref.X_SHAPE

    def test_the_answers_are_what_the_callbacks_answer_for_this_layout(self):
        """Each answered callback, run again on the layout it filled, changes nothing."""
        layout = serve_layout()
        played = first_view.play_start(layout, FIRST_VIEW.callbacks)
        components = first_view._index(layout)
        by_key = {w.key: w for w in FIRST_VIEW.callbacks}
        assert len(played.answered) >= 15  # 19 since #11 folded relays into their sources
        for key in dict.fromkeys(played.answered):
            again = first_view._call(by_key[key], components, set())
            for name, value in again.items():
                identity, prop = name.split(".", 1)
                shown = as_json(getattr(components[identity], prop, None))
                if isinstance(value, Patch):
                    value = apply_patch(shown, value)
                assert as_json(value) == shown, f"{key} answers {name} otherwise"


class TestTheIndexPage:
    def test_the_index_page_does_not_carry_a_copy_of_the_layout(self, client):
        """Dash put the whole validation layout (50 KB) into every index page."""
        page = client.get("/").get_data(as_text=True)
        assert "validation_layout" not in page
        assert "_dash-config" in page and len(page) < 20_000


class TestTheStartIsKeptByWhatMakesIt:
    def test_the_start_is_the_same_for_every_session(self):
        once = first_view._played(serve_layout, FIRST_VIEW.callbacks)
        again = first_view._played(serve_layout, FIRST_VIEW.callbacks)
        assert once["layout"] == again["layout"]
        assert [name for name, _ in once["session_writes"]] == [
            name for name, _ in again["session_writes"]
        ]

    def test_another_layout_or_other_code_is_another_key(self, monkeypatch):
        def other_default():
            layout = serve_layout()
            first_view._index(layout)["dataset"].value = "tutorial-5-blobs"
            return layout

        assert first_view.start_key(other_default()) != FIRST_VIEW.key
        monkeypatch.setattr(first_view.code_version, "code_digest", lambda: "0" * 64)
        assert first_view.start_key(serve_layout()) != FIRST_VIEW.key

    def test_the_kept_start_never_names_a_session(self):
        kept = first_view._played(serve_layout, FIRST_VIEW.callbacks)
        assert kept["layout"].count(first_view._TOKEN_SLOT) == 1
        for _, value in kept["session_writes"]:
            assert first_view._TOKEN_SLOT not in repr(value)
