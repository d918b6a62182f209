"""Issue #10 points 3 and 9: sessions issued by the server, a private cache folder and its secret."""

import multiprocessing
import os
import stat
import time

import pytest
from itsdangerous import URLSafeTimedSerializer

import callbacks  # noqa: F401  (components.layout is imported through them)
from components.layout import serve_layout
from hclust.errors import InputError
from services import config, security, sessions
from services.store import Store


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    """A fresh cache folder and no SECRET_KEY: the secret is generated there."""
    folder = tmp_path / "cache"
    monkeypatch.setattr(config, "CACHE_DIR", str(folder))
    monkeypatch.setattr(config, "SECRET_KEY", "")
    security.secret_key.cache_clear()
    yield folder
    security.secret_key.cache_clear()


def layout_token():
    """The session token a fresh page load carries."""
    page = serve_layout()
    store = next(child for child in page.children if getattr(child, "id", None) == "session-id")
    return store.data


class TestIssuedSessions:
    def test_the_page_carries_a_token_the_server_verifies(self):
        token = layout_token()
        inner = sessions.verify_session(token)
        assert len(inner) == 32 and token != inner
        assert Store.check_session(token) == inner

    def test_each_page_load_gets_its_own_session(self):
        assert sessions.verify_session(layout_token()) != sessions.verify_session(layout_token())

    @pytest.mark.parametrize(
        "forged",
        [
            "0123456789abcdef0123456789abcdef",  # the old, client-chosen shape
            None,
            17,
            "",
            "x" * 5000,
        ],
    )
    def test_an_id_the_server_did_not_issue_is_refused(self, forged):
        with pytest.raises(InputError, match="not issued by this server"):
            sessions.verify_session(forged)

    def test_a_token_signed_with_another_key_is_refused(self):
        other = URLSafeTimedSerializer("not-our-key", salt=sessions.SALT).dumps("a" * 32)
        with pytest.raises(InputError, match="not issued by this server"):
            sessions.verify_session(other)

    def test_a_tampered_token_is_refused(self):
        token = sessions.issue_session()
        payload, rest = token.split(".", 1)
        other = sessions.issue_session().split(".", 1)[0]
        with pytest.raises(InputError, match="not issued by this server"):
            sessions.verify_session(f"{other}.{rest}")
        assert payload != other

    def test_a_token_for_another_purpose_is_refused(self):
        """Same key, another salt: a value signed for something else is not a session."""
        other = URLSafeTimedSerializer(security.secret_key(), salt="other").dumps("a" * 32)
        with pytest.raises(InputError, match="not issued by this server"):
            sessions.verify_session(other)

    def test_an_old_token_expires(self, monkeypatch):
        from itsdangerous.timed import TimestampSigner

        issued_at = int(time.time()) - config.SESSION_MAX_AGE_SECONDS - 60
        with monkeypatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: issued_at)
            token = sessions.issue_session()
        with pytest.raises(InputError, match="expired"):
            sessions.verify_session(token)

    @pytest.mark.parametrize("offset", ["too old", "from the future"])
    def test_a_token_checked_before_still_expires(self, monkeypatch, offset):
        """A token's signature is checked once per process; its age on every use."""
        token = sessions.issue_session()
        assert sessions.verify_session(token)
        shift = config.SESSION_MAX_AGE_SECONDS + 2 if offset == "too old" else -60
        now = time.time() + shift
        monkeypatch.setattr(sessions.time, "time", lambda: now)
        with pytest.raises(InputError, match="expired"):
            sessions.verify_session(token)

    def test_a_token_checked_before_is_refused_once_the_key_changes(self, monkeypatch):
        token = sessions.issue_session()
        assert sessions.verify_session(token)
        monkeypatch.setattr(sessions.security, "secret_key", lambda: "a-new-key" * 8)
        with pytest.raises(InputError, match="not issued by this server"):
            sessions.verify_session(token)

    @pytest.mark.parametrize("later", [0, 0.9, 1.0, 1.5, -1.0, -0.1])
    def test_the_age_rule_is_itsdangerous_own(self, monkeypatch, later):
        """At the boundary (whole seconds, max age itself, a second from the future)."""
        from itsdangerous import SignatureExpired
        from itsdangerous.timed import TimestampSigner

        signed_at = int(time.time()) - 10
        with monkeypatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
            token = sessions.issue_session()
        now = signed_at + config.SESSION_MAX_AGE_SECONDS + later
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(now))
        try:
            sessions._serializer().loads(token, max_age=config.SESSION_MAX_AGE_SECONDS)
            theirs = "valid"
        except SignatureExpired:
            theirs = "expired"
        monkeypatch.setattr(sessions.time, "time", lambda: now)
        try:
            sessions.verify_session(token)
            ours = "valid"
        except InputError as error:
            ours = "expired" if "expired" in str(error) else str(error)
        assert ours == theirs

    def test_only_tokens_this_server_signed_are_kept(self):
        token = sessions.issue_session()
        sessions.verify_session(token)
        kept = sessions._signed.cache_info().currsize
        forged = URLSafeTimedSerializer("not-our-key", salt=sessions.SALT).dumps("a" * 32)
        for n in range(20):
            with pytest.raises(InputError, match="not issued by this server"):
                sessions.verify_session(forged + "x" * n)
        assert sessions._signed.cache_info().currsize == kept

    def test_keys_use_the_inner_id(self):
        """A session's values are found again from its token, and by no other token."""

        class DictCache(dict):
            def set(self, key, value, expire=None):
                self[key] = value

        cache = DictCache()
        shared = Store(cache)
        token = sessions.issue_session()
        shared.put_session_value(token, "table", "mine")
        assert shared.session_value(token, "table") == "mine"
        assert shared.session_value(sessions.issue_session(), "table") is None
        assert all(token not in key for key in cache)


class TestSecret:
    def test_generated_once_private_and_stable(self, private_cache):
        key = security.secret_key()
        path = private_cache / security.SECRET_FILE
        assert path.read_text() == key and len(key) >= 64
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        security.secret_key.cache_clear()  # a restart reads the same key back
        assert security.secret_key() == key
        assert [p.name for p in private_cache.iterdir()] == [security.SECRET_FILE]

    def test_a_restart_accepts_the_sessions_it_issued(self, private_cache):
        token = sessions.issue_session()
        security.secret_key.cache_clear()
        assert len(sessions.verify_session(token)) == 32

    def test_workers_starting_together_agree(self, private_cache):
        context = multiprocessing.get_context("fork")
        with context.Pool(4) as pool:
            keys = pool.starmap(_fresh_secret, [(str(private_cache),)] * 8)
        assert len(set(keys)) == 1 and keys[0] == security.secret_key()

    def test_secret_key_setting_wins(self, private_cache, monkeypatch):
        monkeypatch.setattr(config, "SECRET_KEY", "from-the-environment-" * 3)
        assert security.secret_key() == "from-the-environment-" * 3
        assert not (private_cache / security.SECRET_FILE).exists()

    def test_a_secret_others_can_read_is_refused(self, private_cache):
        security.secret_key()
        os.chmod(private_cache / security.SECRET_FILE, 0o644)
        security.secret_key.cache_clear()
        with pytest.raises(security.UnsafeCacheDir, match="mode 0600"):
            security.secret_key()


def _fresh_secret(folder):
    config.CACHE_DIR = folder
    security.secret_key.cache_clear()
    return security.secret_key()


class TestPrivateCacheDir:
    def test_default_is_per_user_not_the_shared_tmp(self, monkeypatch, tmp_path):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert config.default_cache_dir() == str(tmp_path / "xdg" / "hclust-dashboard")
        monkeypatch.delenv("XDG_CACHE_HOME")
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        assert config.default_cache_dir() == str(tmp_path / "home" / ".cache" / "hclust-dashboard")

    def test_created_private(self, tmp_path):
        folder = tmp_path / "deep" / "cache"
        security.ensure_private_dir(str(folder))
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700

    @pytest.mark.parametrize("mode", [0o777, 0o1777, 0o730, 0o702])
    def test_refuses_a_folder_others_can_write(self, tmp_path, mode):
        folder = tmp_path / "cache"
        folder.mkdir()
        os.chmod(folder, mode)
        with pytest.raises(
            security.UnsafeCacheDir, match="can be written by other users.*CACHE_DIR"
        ):
            security.ensure_private_dir(str(folder))

    def test_refuses_a_folder_another_user_owns(self, tmp_path, monkeypatch):
        folder = tmp_path / "cache"
        folder.mkdir(mode=0o700)
        owner = folder.stat().st_uid
        monkeypatch.setattr(security.os, "geteuid", lambda: owner + 1)
        with pytest.raises(security.UnsafeCacheDir, match="is owned by .*Refusing to start"):
            security.ensure_private_dir(str(folder))

    def test_refuses_a_file(self, tmp_path):
        path = tmp_path / "cache"
        path.write_text("")
        with pytest.raises(security.UnsafeCacheDir):
            security.ensure_private_dir(str(path))

    def test_the_app_refuses_to_start_on_a_shared_folder(self, tmp_path):
        """Importing the app (as gunicorn does) with CACHE_DIR writable by all fails, saying why."""
        import subprocess
        import sys

        folder = tmp_path / "shared"
        folder.mkdir()
        os.chmod(folder, 0o777)
        env = {**os.environ, "CACHE_DIR": str(folder)}
        env.pop("SECRET_KEY", None)
        result = subprocess.run(
            [sys.executable, "-c", "import app"],
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        assert "can be written by other users" in result.stderr
        assert not (folder / "jobs").exists()
