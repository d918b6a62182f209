"""Optional sign-in: a users file of password hashes, or a class code a teacher hands out.

Unconfigured (neither ``AUTH_USERS_FILE`` nor ``CLASS_CODE`` set), the instance
stays open. Configured, every request except the sign-in page itself is
refused until the browser holds Flask's signed session cookie (HttpOnly,
SameSite=Lax, Secure with ``SESSION_COOKIE_SECURE``); the page is redirected
to the sign-in form, everything else (layout, callbacks, assets) gets 401.

Passwords are checked with :func:`werkzeug.security.check_password_hash`;
make a users-file line with ``python -m services.auth NAME``.
"""

from __future__ import annotations

import functools
import hmac
import html
import secrets
from datetime import timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from . import config, security

LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"


@functools.cache
def _dummy_hash() -> str:
    """Checked when the name is unknown, so an unknown name takes as long as a wrong password."""
    return generate_password_hash("not a password")


class AuthConfigError(RuntimeError):
    """The sign-in settings cannot be used: refuse to start rather than run open."""


def configured() -> bool:
    return bool(config.AUTH_USERS_FILE or config.CLASS_CODE)


def read_users(path: str) -> dict:
    """``{name: password hash}`` from a file of ``name:hash`` lines (``#`` starts a comment).

    Raises
    ------
    AuthConfigError
        Naming the file and line at fault.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise AuthConfigError(f"AUTH_USERS_FILE {path} cannot be read: {exc.strerror}.") from None
    users = {}
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, hashed = line.partition(":")
        if not sep or not name.strip() or "$" not in hashed:
            raise AuthConfigError(
                f"AUTH_USERS_FILE {path}, line {number}: expected 'name:password-hash' "
                "(make one with 'python -m services.auth NAME')."
            )
        users[name.strip()] = hashed.strip()
    if not users:
        raise AuthConfigError(f"AUTH_USERS_FILE {path} lists no users.")
    return users


def check_login(name: str, password: str, code: str) -> str | None:
    """Who signs in with these credentials, or None."""
    if config.CLASS_CODE and code:
        if hmac.compare_digest(code.strip().encode(), config.CLASS_CODE.encode()):
            return "class"
    if config.AUTH_USERS_FILE and name:
        hashed = read_users(config.AUTH_USERS_FILE).get(name.strip())
        ok = check_password_hash(hashed or _dummy_hash(), password or "")
        if hashed and ok:
            return f"user:{name.strip()}"
    return None


def login_page(csrf: str, message: str = "") -> str:
    """The sign-in form: no script, only the fields the configuration asks for."""
    fields = []
    if config.AUTH_USERS_FILE:
        fields.append(
            '<label>Name <input name="name" id="login-name" autocomplete="username"></label>'
            '<label>Password <input name="password" id="login-password" type="password" '
            'autocomplete="current-password"></label>'
        )
    if config.CLASS_CODE:
        if fields:
            fields.append("<p>or</p>")
        fields.append('<label>Class code <input name="code" id="login-code"></label>')
    error = f'<p id="login-error" role="alert">{html.escape(message)}</p>' if message else ""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Sign in · Hierarchical clustering explorer</title>"
        "<style>body{font-family:sans-serif;max-width:22rem;margin:4rem auto}"
        "label{display:block;margin:.6rem 0}input{display:block;width:100%}</style></head>"
        "<body><h1>Sign in</h1>"
        f"{error}<form method='post' action='{LOGIN_PATH}'>"
        f"<input type='hidden' name='csrf' value='{html.escape(csrf)}'>{''.join(fields)}"
        "<button type='submit' id='login-submit'>Sign in</button></form></body></html>"
    )


def install(server) -> bool:
    """Require sign-in on every request of the Flask `server` when configured; returns whether it is.

    Raises
    ------
    AuthConfigError
        When the users file cannot be used: an instance meant to be closed
        never starts open.
    """
    if not configured():
        return False
    if config.AUTH_USERS_FILE:
        read_users(config.AUTH_USERS_FILE)
    from flask import redirect, request, session

    server.secret_key = security.secret_key()
    server.config.update(
        SESSION_COOKIE_NAME="hclust_signin",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.SESSION_COOKIE_SECURE,
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=config.SESSION_MAX_AGE_SECONDS),
    )

    def form(message="", status=200):
        session.setdefault("csrf", secrets.token_urlsafe(32))
        return login_page(session["csrf"], message), status, {"Content-Type": "text/html"}

    @server.route(LOGIN_PATH, methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return form()
        expected = session.get("csrf", "")
        sent = request.form.get("csrf", "")
        if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
            session.pop("csrf", None)
            return form("The form expired; please sign in again.", 400)
        who = check_login(
            request.form.get("name", ""),
            request.form.get("password", ""),
            request.form.get("code", ""),
        )
        if who is None:
            return form("Wrong name, password or class code.", 401)
        session.clear()  # a new session on sign-in: nothing from before carries over
        session["who"] = who
        session.permanent = True
        return redirect("/")

    @server.route(LOGOUT_PATH)
    def logout():
        session.clear()
        return redirect(LOGIN_PATH)

    @server.before_request
    def require_sign_in():
        if request.path in (LOGIN_PATH, LOGOUT_PATH) or session.get("who"):
            return None
        if request.method == "GET" and request.path == "/":
            return redirect(LOGIN_PATH)
        return "Sign in first.", 401, {"Content-Type": "text/plain"}

    return True


if __name__ == "__main__":
    import getpass
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python -m services.auth NAME   (prints a line for AUTH_USERS_FILE)")
    password = getpass.getpass(f"Password for {sys.argv[1]}: ")
    if password != getpass.getpass("Again: "):
        sys.exit("The passwords differ.")
    print(f"{sys.argv[1]}:{generate_password_hash(password)}")
