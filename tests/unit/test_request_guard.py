"""Malformed callback requests, in process: the checks of callbacks/validate.py,
the envelope guard and the ``on_error`` handler of services/request_guard.py.

The same properties against the real gunicorn server, with generated bodies,
are in tests/server/test_callback_fuzz.py.
"""

import json
import logging
import math

import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate
from hypothesis import given
from hypothesis import strategies as st

from app import app, server
from callbacks import validate
from callbacks.cut import cut_from_fields
from callbacks.diagnostics import linkage_table_page, update_inconsistency
from callbacks.views import update_views
from hclust.cut import OVERFLOW, PALETTE
from hclust.errors import InputError
from services import config, request_guard
from services.sessions import issue_session
from tests.helpers import call, draw_views, options_store, refusal

UPDATE = "/_dash-update-component"

anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


class TestWholeNumber:
    @given(st.integers(-(10**30), 10**30))
    def test_accepts_exactly_the_integers_in_range(self, value):
        if 0 <= value <= 100:
            assert validate.whole_number(value, "Depth", 0, 100) == value
        else:
            with pytest.raises(InputError, match=r"Depth must be a whole number from 0 to 100"):
                validate.whole_number(value, "Depth", 0, 100)

    @given(st.floats(allow_nan=True, allow_infinity=True))
    def test_a_float_only_when_integral_and_in_range(self, value):
        ok = math.isfinite(value) and value.is_integer() and 0 <= value <= 100
        if ok:
            result = validate.whole_number(value, "Depth", 0, 100)
            assert result == value and type(result) is int
        else:
            with pytest.raises(InputError, match="Depth"):
                validate.whole_number(value, "Depth", 0, 100)

    @pytest.mark.parametrize("value", [True, False, "3", "NaN", [3], {"v": 3}, None])
    def test_refuses_other_types_and_none_unless_optional(self, value):
        with pytest.raises(InputError, match="Depth"):
            validate.whole_number(value, "Depth", 0, 100)

    def test_none_when_optional(self):
        assert validate.whole_number(None, "Depth", 0, 100, optional=True) is None

    @pytest.mark.parametrize("value", [10**400, -(10**400)])
    def test_an_integer_past_float_range_is_refused_naming_it(self, value):
        # JSON may carry one; math.isfinite alone would raise OverflowError (a 500)
        with pytest.raises(InputError, match="Depth must be a whole number"):
            validate.whole_number(value, "Depth", 0, 100)
        with pytest.raises(InputError, match="Height must be a number"):
            validate.number(value, "Height")


class TestNumber:
    @given(anything)
    def test_only_finite_numbers_pass_and_come_back_as_float(self, value):
        ok = (
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        )
        if ok:
            assert validate.number(value, "Height") == float(value)
        else:
            with pytest.raises(InputError, match="Height must be a number"):
                validate.number(value, "Height")

    def test_bounds_are_named(self):
        with pytest.raises(InputError, match="from 0 to 10"):
            validate.number(11, "Noise", 0, 10)


class TestOneOfMappingList:
    @given(anything)
    def test_one_of_never_fails_on_unhashable_values(self, value):
        if value in ("a", "b") and isinstance(value, str):
            assert validate.one_of(value, "Method", ("a", "b")) == value
        else:
            with pytest.raises(InputError, match="Method must be one of: a, b"):
                validate.one_of(value, "Method", ("a", "b"))

    def test_mapping_names_the_missing_keys(self):
        with pytest.raises(InputError, match="The cut lacks criterion, k"):
            validate.mapping_with({"clustering": {}}, "The cut", ("clustering", "criterion", "k"))

    def test_mapping_keeps_extra_keys(self):
        value = {"a": 1, "extra": 2}
        assert validate.mapping_with(value, "It", ("a",)) is value

    def test_list_checks_each_item_and_names_it(self):
        check = lambda v, name: validate.whole_number(v, name, 0, 9)  # noqa: E731
        assert validate.list_of([1, 2], "The samples", check) == [1, 2]
        with pytest.raises(InputError, match=r"The samples\[1\]"):
            validate.list_of([1, "x"], "The samples", check)

    def test_list_length_is_bounded(self):
        with pytest.raises(InputError, match="at most 3 items"):
            validate.list_of([0] * 4, "The samples", max_items=3)


@pytest.fixture(scope="module")
def summary():
    """A clustering summary as the page holds it, from the real callbacks."""
    from callbacks.clustering import compute_clustering
    from hclust.data import DEFAULT_PRESET, load_preset
    from services import store

    session_id = issue_session()
    key = store.get_store().put_dataset(session_id, load_preset(DEFAULT_PRESET))
    found, _ = compute_clustering(session_id, {"key": key, "n": 150}, "ward", "euclidean", False)
    return session_id, found


class TestStores:
    def test_the_real_summary_and_cut_pass(self, summary):
        _, clustering = summary
        assert validate.clustering(clustering) is clustering
        cut = {"clustering": clustering, "criterion": "distance", "height": 20.0, "k": 2}
        assert validate.cut(cut) is cut

    @pytest.mark.parametrize(
        "change, named",
        [
            ({"method": ["ward"]}, "linkage method"),
            ({"metric": "nonsense"}, "distance metric"),
            ({"n": 1e999}, "number of samples"),
            ({"n": "150"}, "number of samples"),
            ({"default_cut": float("nan")}, "default cut"),
            ({"optimal_order": "yes"}, "Optimal ordering"),
        ],
    )
    def test_a_summary_with_a_wrong_value_is_refused_naming_it(self, summary, change, named):
        with pytest.raises(InputError, match=named):
            validate.clustering(dict(summary[1], **change))

    @pytest.mark.parametrize("k", [2, 40])  # 40 clusters: more than the palette's colours
    def test_the_stores_the_views_write_pass(self, summary, k):
        session_id, clustering = summary
        cut = {"clustering": clustering, "criterion": "maxclust", "height": None, "k": k}
        token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "cut.data"}]))
        try:
            *_, colour_map, _ = call(
                update_views, cut=cut, view_options=options_store(), session_id=session_id
            )
        finally:
            context_value.reset(token)
        assert validate.colour_map(colour_map) is colour_map
        assert (OVERFLOW in colour_map["nodes"].values()) == (k > len(PALETTE))

    def test_a_cut_keeps_a_depth_only_other_criteria_use(self, summary):
        # typed while the criterion is distance, where depth does not matter
        cut = {"clustering": summary[1], "criterion": "distance", "height": 2.0, "k": 3}
        assert validate.cut(dict(cut, depth=0, t=-1.5)) is not None
        with pytest.raises(InputError, match="The depth must be a number"):
            validate.cut(dict(cut, depth="2"))

    def test_a_refusal_in_a_job_is_no_update_and_one_line(self, caplog):
        with caplog.at_level(logging.WARNING, logger="hclust.requests"):
            with pytest.raises(PreventUpdate):
                validate.in_job(validate.quality_request, {"max_k": 5})
        (record,) = caplog.records
        assert "lacks clustering" in record.message and record.exc_info is None

    def test_empty_stores_are_none(self):
        assert validate.clustering(None) is None and validate.cut({}) is None
        assert validate.highlight(None) is None and validate.focus(None) is None


class TestCallbacksAsPlainFunctions:
    """Each callback checks what it reads before using it."""

    def test_a_cut_with_a_string_for_the_clustering(self, summary):
        session_id, _ = summary
        assert "The clustering must be an object" in refusal(
            # Enter and Tab counts, the criterion, t and depth, the typed height and k, ...
            cut_from_fields,
            *[None] * 4,
            *("distance", None, None),
            *(16, None),
            *("junk", None, None, session_id),
        )

    def test_a_typed_height_that_is_text(self, summary):
        session_id, clustering = summary
        arguments = dict.fromkeys(
            ("height_submits", "height_blurs", "k_submits", "k_blurs", "typed_k", "t", "depth")
            + ("cut", "nudge"),
            None,
        )
        assert "The cut height must be a number; got 'NaN'" in refusal(
            cut_from_fields,
            typed_height="NaN",
            criterion="distance",
            clustering=clustering,
            session_id=session_id,
            **arguments,
        )

    def test_inconsistency_depth_that_is_a_list(self, summary):
        session_id, clustering = summary
        assert "Table depth must be a number" in refusal(
            update_inconsistency, clustering, [2], 10, None, session_id
        )

    def test_linkage_table_for_a_summary_without_its_key(self, summary):
        session_id, clustering = summary
        broken = {k: v for k, v in clustering.items() if k != "key"}
        assert "lacks key" in refusal(linkage_table_page, broken, 0, session_id)

    def test_views_with_a_colour_map_naming_no_merge(self, summary):
        session_id, clustering = summary
        cut = {"clustering": clustering, "criterion": "distance", "height": 20.0, "k": 2}
        colour_map = {"clustering": clustering, "nodes": {"x": 1}}
        assert "not a merge" in refusal(lambda: draw_views(session_id, cut, colour_map=colour_map))


def post(body, raw=None):
    data = raw if raw is not None else json.dumps(body)
    return server.test_client().post(UPDATE, data=data, content_type="application/json")


def linkage_table_body(clustering, session_id):
    return {
        "output": "..linkage-table.data...linkage-table.page_count...linkage-table.page_current..",
        "outputs": [
            {"id": "linkage-table", "property": p} for p in ("data", "page_count", "page_current")
        ],
        "inputs": [
            {"id": "clustering", "property": "data", "value": clustering},
            {"id": "linkage-table", "property": "page_current", "value": 0},
        ],
        "state": [{"id": "session-id", "property": "data", "value": session_id}],
        "changedPropIds": ["clustering.data"],
    }


class TestEnvelope:
    def test_a_valid_request_is_answered(self, summary):
        session_id, clustering = summary
        response = post(linkage_table_body(clustering, session_id))
        assert response.status_code == 200
        assert len(response.get_json()["response"]["linkage-table"]["data"]) == 10

    @pytest.mark.parametrize(
        "broken, reason",
        [
            (lambda b: "{not json", "not JSON"),
            (lambda b: "[" * 50_000 + "]" * 50_000, "nested too deeply"),
            (lambda b: json.dumps([b]), "JSON object"),
            (lambda b: json.dumps({k: v for k, v in b.items() if k != "output"}), "'output'"),
            (lambda b: json.dumps(dict(b, output="recolour-ready.data")), "'output'"),
            (lambda b: json.dumps(dict(b, outputs=b["outputs"][:2])), "'outputs'"),
            (lambda b: json.dumps(dict(b, outputs=None)), "'outputs'"),
            (lambda b: json.dumps(dict(b, inputs=b["inputs"][:1])), "'inputs'"),
            (lambda b: json.dumps(dict(b, inputs=[1, 2])), "'inputs'"),
            (lambda b: json.dumps(dict(b, state=[])), "'state'"),
            (lambda b: json.dumps(dict(b, changedPropIds="clustering.data")), "changedPropIds"),
            (lambda b: json.dumps(dict(b, changedPropIds=[["x"]])), "changedPropIds"),
        ],
    )
    def test_what_dash_cannot_dispatch_gets_400_with_the_reason(
        self, summary, caplog, broken, reason
    ):
        raw = broken(linkage_table_body(summary[1], summary[0]))
        with caplog.at_level(logging.WARNING, logger="hclust.requests"):
            response = post(None, raw=raw)
        assert response.status_code == 400
        assert reason in response.get_json()["error"]
        assert [r.message.count("\n") for r in caplog.records] == [0]  # one line

    def test_the_upload_limit_still_answers_413(self):
        too_big = "x" * (server.config["MAX_CONTENT_LENGTH"] + 1)
        assert post(None, raw=too_big).status_code == 413

    def test_check_envelope_as_a_plain_function(self, summary):
        body = linkage_table_body(summary[1], summary[0])
        request_guard.check_envelope(body, app.callback_map)  # no error
        with pytest.raises(request_guard.Malformed, match="'inputs'"):
            request_guard.check_envelope(dict(body, inputs=[]), app.callback_map)


class TestOnError:
    @staticmethod
    def small_app():
        """An app of two callbacks that refuse their input, one with a message output."""
        import dash
        from dash import Input, Output, dcc, html

        # Dash hands every module-level callback to the first app that serves a
        # request: let that be the real app, not this one.
        server.test_client().get("/")
        small = dash.Dash(
            "refusals", on_error=request_guard.callback_error_handler(("status.children",))
        )
        small.layout = html.Div([dcc.Store(id="given"), html.Div(id="status"), html.Div(id="out")])

        @small.callback(
            Output("out", "children"), Output("status", "children"), Input("given", "data")
        )
        def with_message(given):
            validate.whole_number(given, "The number of samples", 1, 10)

        @small.callback(Output("out", "title"), Input("given", "modified_timestamp"))
        def without_message(stamp):
            validate.whole_number(stamp, "The stamp", 0, 1)

        return small.server.test_client()

    def test_bad_input_becomes_the_callbacks_message(self, caplog):
        client = self.small_app()
        client.get("/")  # Dash fills its callback map on the first request
        body = {
            "output": "..out.children...status.children..",
            "outputs": [
                {"id": "out", "property": "children"},
                {"id": "status", "property": "children"},
            ],
            "inputs": [{"id": "given", "property": "data", "value": -3}],
            "changedPropIds": ["given.data"],
        }
        with caplog.at_level(logging.WARNING, logger="hclust.requests"):
            response = client.post(UPDATE, json=body)
        assert response.status_code == 200
        assert response.get_json()["response"] == {
            "status": {
                "children": "⚠ The number of samples must be a whole number from 1 to 10; got -3."
            }
        }
        assert len(caplog.records) == 1 and caplog.records[0].exc_info is None

    def test_bad_input_to_a_callback_without_a_message_is_no_update(self):
        client = self.small_app()
        client.get("/")
        body = {
            "output": "out.title",
            "outputs": {"id": "out", "property": "title"},
            "inputs": [{"id": "given", "property": "modified_timestamp", "value": 7}],
            "changedPropIds": ["given.modified_timestamp"],
        }
        assert client.post(UPDATE, json=body).status_code == 204

    def test_a_bug_is_raised_in_strict_mode(self, summary, monkeypatch):
        monkeypatch.setenv("HCLUST_STRICT_CALLBACKS", "1")
        monkeypatch.setattr("callbacks.diagnostics.linkage_rows", _bug)
        monkeypatch.setattr(config, "SHARE_ANSWERS", False)  # or the kept answer skips the bug
        monkeypatch.setattr(server, "testing", False)  # answer 500 rather than raise into the test
        response = post(linkage_table_body(summary[1], summary[0]))
        assert response.status_code == 500

    def test_a_bug_is_logged_with_its_traceback_and_answered_otherwise(
        self, summary, monkeypatch, caplog
    ):
        monkeypatch.setenv("HCLUST_STRICT_CALLBACKS", "0")
        monkeypatch.setattr("callbacks.diagnostics.linkage_rows", _bug)
        monkeypatch.setattr(config, "SHARE_ANSWERS", False)  # or the kept answer skips the bug
        session_id, clustering = summary
        with caplog.at_level(logging.WARNING, logger="hclust.requests"):
            response = post(linkage_table_body(clustering, session_id))
        assert response.status_code == 204  # the table has no message output: no update
        (record,) = caplog.records
        assert record.levelno == logging.ERROR and isinstance(record.exc_info[1], ZeroDivisionError)


def _bug(*args, **kwargs):
    return 1 / 0
