"""Issue #10 point 10: optional sign-in, on a bare Flask server (the browser tests use the real app)."""

import flask
import pytest
from werkzeug.security import generate_password_hash

from services import auth, config


def server_with(monkeypatch, users_file="", class_code=""):
    monkeypatch.setattr(config, "AUTH_USERS_FILE", users_file)
    monkeypatch.setattr(config, "CLASS_CODE", class_code)
    app = flask.Flask("test")
    app.add_url_rule("/", "page", lambda: "the page")
    app.add_url_rule("/_dash-layout", "layout", lambda: "the layout")
    installed = auth.install(app)
    return app, installed


def signed_in(client, **fields):
    client.get("/login")
    with client.session_transaction() as session:
        csrf = session["csrf"]
    return client.post("/login", data={"csrf": csrf, **fields})


class TestOpenByDefault:
    def test_unconfigured_everything_is_served(self, monkeypatch):
        app, installed = server_with(monkeypatch)
        client = app.test_client()
        assert installed is False
        assert client.get("/").get_data(as_text=True) == "the page"
        assert client.get("/_dash-layout").status_code == 200
        assert client.get("/login").status_code == 404


class TestClassCode:
    def test_refused_until_the_code_is_given(self, monkeypatch):
        app, installed = server_with(monkeypatch, class_code="otter-7")
        client = app.test_client()
        assert installed is True
        assert client.get("/").status_code == 302
        assert client.get("/_dash-layout").status_code == 401
        assert signed_in(client, code="otter-8").status_code == 401
        assert client.get("/_dash-layout").status_code == 401
        assert signed_in(client, code=" otter-7 ").status_code == 302
        assert client.get("/_dash-layout").get_data(as_text=True) == "the layout"

    def test_the_form_asks_only_for_the_code(self, monkeypatch):
        app, _ = server_with(monkeypatch, class_code="otter-7")
        form = app.test_client().get("/login").get_data(as_text=True)
        assert "login-code" in form and "login-password" not in form and "<script" not in form


class TestUsersFile:
    @pytest.fixture
    def users(self, tmp_path):
        path = tmp_path / "users.txt"
        path.write_text(f"# team\n\nalice:{generate_password_hash('s3cret')}\n")
        return str(path)

    def test_a_password_signs_in(self, monkeypatch, users):
        app, _ = server_with(monkeypatch, users_file=users)
        client = app.test_client()
        assert signed_in(client, name="alice", password="wrong").status_code == 401
        assert signed_in(client, name="bob", password="s3cret").status_code == 401
        assert client.get("/_dash-layout").status_code == 401
        assert signed_in(client, name="alice", password="s3cret").status_code == 302
        assert client.get("/_dash-layout").status_code == 200
        client.get("/logout")
        assert client.get("/_dash-layout").status_code == 401

    def test_a_code_is_not_accepted_when_only_users_are_configured(self, monkeypatch, users):
        app, _ = server_with(monkeypatch, users_file=users)
        client = app.test_client()
        assert signed_in(client, code="otter-7").status_code == 401

    @pytest.mark.parametrize(
        "text, where",
        [
            ("alice\n", "line 1"),
            ("# x\nbob:plain-password\n", "line 2"),
            ("# nobody\n", "no users"),
        ],
    )
    def test_a_bad_users_file_stops_the_server(self, monkeypatch, tmp_path, text, where):
        path = tmp_path / "users.txt"
        path.write_text(text)
        with pytest.raises(auth.AuthConfigError, match=where):
            server_with(monkeypatch, users_file=str(path))

    def test_a_missing_users_file_stops_the_server(self, monkeypatch, tmp_path):
        with pytest.raises(auth.AuthConfigError, match="cannot be read"):
            server_with(monkeypatch, users_file=str(tmp_path / "nope.txt"))
