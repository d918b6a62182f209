"""Answers shared between sessions (services/answers.py), through the real Flask app.

Each page here is a new layout (its own session, the tutorial's data loaded as a
page's first view loads it) and posts callback requests built from that layout's
values, as Dash's renderer would.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app import server
from hclust.data import DEFAULT_PRESET, load_preset
from hclust.errors import InputError
from services import answers, code_version, config, store
from services.sessions import issue_session
from tests.helpers import DictCache, PageValues, cluster, load, upload

UPDATE = "/_dash-update-component"

# What a class asks for again and again: the panels that redraw on every cut.
SHARED_OUTPUTS = [
    ("dendrogram", "figure"),
    ("clustergram", "figure"),
    ("cluster-summary", "data"),
    ("elbow-graph", "figure"),
    ("cluster-profiles-graph", "figure"),
    ("label-agreement", "children"),
    ("label-agreement-k", "figure"),
    ("cophenetic", "children"),
    ("inconsistency", "children"),
    ("linkage-table", "data"),
]


class Page(PageValues):
    """A new page through the Flask test client: its own session, its layout's values."""

    def __init__(self):
        self.client = server.test_client()
        super().__init__(
            self.client.get("/_dash-dependencies").get_json(),
            self.client.get("/_dash-layout").get_json(),
        )
        self.token = self.props[("session-id", "data")]

    def post(self, body):
        return self.client.post(UPDATE, data=json.dumps(body), content_type="application/json")

    def ask(self, component: str, prop: str, values: dict | None = None):
        """Post the request for `component`.`prop` with this page's values, its first input changed."""
        output = self.output_for(component, prop)
        first = self.callbacks[output]["inputs"][0]
        return self.post(self.body(output, [f"{first['id']}.{first['property']}"], values))


def own(page: Page, response) -> bytes:
    """An answer with this page's session token taken out."""
    return response.get_data().replace(page.token.encode(), b"<session>")


@pytest.fixture(autouse=True)
def fresh_store(monkeypatch):
    """Each test starts with nothing kept (the suite's other tests share the disk cache)."""
    fresh = store.Store(DictCache())
    monkeypatch.setattr(store, "get_store", lambda: fresh)
    return fresh


@pytest.fixture
def sharing(monkeypatch):
    monkeypatch.setattr(config, "SHARE_ANSWERS", True)


class TestSharedAnswers:
    @pytest.mark.parametrize("component, prop", SHARED_OUTPUTS)
    def test_another_session_gets_the_very_answer_it_would_have_computed(
        self, sharing, monkeypatch, component, prop
    ):
        first, second, alone = Page(), Page(), Page()
        answered = first.ask(component, prop)
        assert answered.status_code == 200 and not answered.headers.get(answers.SHARED_HEADER)
        shared = second.ask(component, prop)
        assert shared.status_code == 200
        assert shared.headers.get(answers.SHARED_HEADER) == "1"
        monkeypatch.setattr(config, "SHARE_ANSWERS", False)
        computed = alone.ask(component, prop)
        assert computed.status_code == 200 and not computed.headers.get(answers.SHARED_HEADER)
        assert own(second, shared) == own(alone, computed) == own(first, answered)

    def test_a_kept_answer_never_holds_a_session_token(self, sharing):
        first, second = Page(), Page()
        for component, prop in SHARED_OUTPUTS:
            first.ask(component, prop)
            shared = second.ask(component, prop)
            assert first.token.encode() not in shared.get_data()

    def test_an_answer_to_bad_input_is_computed_for_each_session(self, sharing):
        first, second = Page(), Page()
        bad = {("inconsistency-depth", "value"): "deep"}  # refused by callbacks/validate.py
        refused = first.ask("inconsistency", "children", bad)
        assert refused.status_code == 200 and "Table depth" in refused.get_data(as_text=True)
        again = second.ask("inconsistency", "children", bad)
        assert not again.headers.get(answers.SHARED_HEADER)
        assert own(second, again) == own(first, refused)

    def test_off_keeps_nothing(self, monkeypatch):
        monkeypatch.setattr(config, "SHARE_ANSWERS", False)
        first, second = Page(), Page()
        first.ask("dendrogram", "figure")
        monkeypatch.setattr(config, "SHARE_ANSWERS", True)
        assert not second.ask("dendrogram", "figure").headers.get(answers.SHARED_HEADER)


CSV = b"name,a,b\n" + b"".join(
    f"secret-{i},{(i * 7) % 11},{(i * 3) % 5}\n".encode() for i in range(12)
)


class TestOnlyTheOwnerOfTheData:
    def test_a_session_without_the_data_never_gets_its_answer(self, sharing):
        owner, other = Page(), Page()
        # the owner uploads a file of its own and clusters it, as its page would
        upload(owner.token, CSV)
        version = load(owner.token, "upload", features=["a", "b"], label="name")["version"]
        clustering, _, _ = cluster(owner.token, version)
        cut = {"clustering": clustering, "criterion": "maxclust", "k": 3}
        values = {("cut", "data"): cut}
        mine = owner.ask("dendrogram", "figure", values)
        assert mine.status_code == 200 and b"secret-" in mine.get_data()
        assert owner.ask("dendrogram", "figure", values).headers.get(answers.SHARED_HEADER)
        # the other page names the owner's data (a forged request): no shared answer, no data
        forged = other.ask("dendrogram", "figure", values)
        assert not forged.headers.get(answers.SHARED_HEADER)
        assert b"secret-" not in forged.get_data()
        assert store.NO_DATA.split(";")[0] in forged.get_data(as_text=True)

    def test_an_answer_made_from_a_session_value_needs_the_same_value(self):
        shared = store.get_store()
        owner, other = issue_session(), issue_session()
        for session, scaling in ((owner, "none"), (other, "zscore")):
            shared.put_session_value(session, "origin:x", {"scaling": scaling})
        key = store.ResultKey("answer", "0" * 64)
        with store.watching_answer_reads() as reads:
            shared.session_value(owner, "origin:x")
        assert not reads.private and set(reads.values) == {"origin:x"}
        shared.keep_answer(key, reads, "application/json", b"{}")
        assert shared.kept_answer(owner, key) == ("application/json", b"{}")
        assert shared.kept_answer(other, key) is None
        shared.put_session_value(other, "origin:x", {"scaling": "none"})
        assert shared.kept_answer(other, key) == ("application/json", b"{}")
        assert shared.kept_answer("not a token", key) is None

    def test_writes_results_not_ready_and_large_values_are_never_shared(self):
        shared = store.get_store()
        session = issue_session()
        with store.watching_answer_reads() as reads:
            shared.put_session_value(session, "latest-x", "a")
        assert reads.private
        with store.watching_answer_reads() as reads, pytest.raises(store.NotReady):
            shared.memo(store.ResultKey("quality", "1" * 64), lambda: 1, refuse="not yet")
        assert reads.private
        shared.put_session_value(session, "table", b"x" * (store.SMALL_SESSION_VALUE_BYTES + 1))
        with store.watching_answer_reads() as reads:
            shared.session_value(session, "table")
        assert reads.private
        with store.watching_answer_reads() as reads, pytest.raises(InputError):
            shared.check_session("forged")
        assert reads.private
        with pytest.raises(ValueError):
            shared.keep_answer(store.ResultKey("answer", "2" * 64), reads, "text/plain", b"")


class TestWhatMakesAnAnswer:
    def test_the_order_of_a_request_s_dicts_is_part_of_its_key(self):
        body = {
            "output": "a.b",
            "inputs": [{"id": "x", "property": "data", "value": {"1": 1, "2": 2}}],
        }
        reordered = {
            "output": "a.b",
            "inputs": [{"id": "x", "property": "data", "value": {"2": 2, "1": 1}}],
        }
        assert answers.answer_key(body, None) != answers.answer_key(reordered, None)
        assert answers.answer_key(body, None) == answers.answer_key(
            json.loads(json.dumps(body)), None
        )

    def test_the_session_token_is_no_part_of_the_key(self):
        def body(token):
            return {
                "output": "a.b",
                "state": [{"id": "session-id", "property": "data", "value": token}],
            }

        assert answers.answer_key(body("one"), "one") == answers.answer_key(body("two"), "two")

    def test_a_download_is_never_shared(self, sharing):
        first, second = Page(), Page()
        clicked = {("download-labels", "n_clicks"): 1}
        assert first.ask("download", "data", clicked).status_code == 200
        again = second.ask("download", "data", clicked)
        assert again.status_code == 200 and not again.headers.get(answers.SHARED_HEADER)

    def test_a_request_as_large_as_an_upload_is_never_kept(self, sharing):
        first, second = Page(), Page()
        output = first.output_for("inconsistency", "children")
        padding = " " * (answers.MAX_SHARED_REQUEST_BYTES + 1)  # JSON allows the spaces

        def post(page):
            data = json.dumps(page.body(output, ["clustering.data"])) + padding
            return page.client.post(UPDATE, data=data, content_type="application/json")

        assert post(first).status_code == 200
        assert not post(second).headers.get(answers.SHARED_HEADER)

    def test_the_data_must_still_be_there_not_only_its_size(self, fresh_store):
        session = issue_session()
        dataset = load_preset(DEFAULT_PRESET)
        data_key = fresh_store.put_dataset(session, dataset)
        with store.watching_answer_reads() as reads:
            fresh_store.loaded_dataset(session, data_key)
        key = store.ResultKey("answer", "3" * 64)
        fresh_store.keep_answer(key, reads, "application/json", b"{}")
        assert fresh_store.kept_answer(session, key) is not None
        sid = store.verify_session(session)
        del fresh_store._cache.data[str(store.SessionKey(sid, "dataset", data_key))]
        assert fresh_store.kept_answer(session, key) is None  # its size record alone is left

    def test_the_label_column_s_name_and_the_file_s_rows_name_a_dataset(self):
        dataset = load_preset(DEFAULT_PRESET)
        renamed = replace(dataset, label_name="another header")
        moved = replace(dataset, source_rows=dataset.source_rows[::-1].copy())
        ids = {store.dataset_id(d) for d in (dataset, renamed, moved)}
        assert len(ids) == 3

    def test_the_code_digest_covers_data_files_and_package_versions(self, tmp_path, monkeypatch):
        for folder in code_version.CODE_FOLDERS:
            (tmp_path / folder).mkdir()
        (tmp_path / "app.py").write_text("")
        (tmp_path / "requirements.txt").write_text("# pinned\nplotly==7.1.0\n")
        (tmp_path / "hclust" / "table.csv").write_text("a\n1\n")
        monkeypatch.setattr(code_version, "ROOT", tmp_path)
        digest = code_version.code_digest.__wrapped__
        before = digest()
        (tmp_path / "hclust" / "table.csv").write_text("a\n2\n")
        after_data = digest()
        monkeypatch.setattr(code_version.metadata, "version", lambda name: "0.0.0")
        after_upgrade = digest()
        assert len({before, after_data, after_upgrade}) == 3
