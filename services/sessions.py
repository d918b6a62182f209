"""Sessions issued by the server: a signed, timed token the client cannot forge.

The page holds the token (in the ``session-id`` store) and sends it with each
callback; :func:`verify_session` checks the signature and age and returns the
random id inside it, which is what the cache keys use. A token this server did
not sign (any made-up id, or one signed with another key) is refused.
"""

from __future__ import annotations

import functools
import re
import secrets
import time

from itsdangerous import BadSignature, URLSafeTimedSerializer

from hclust.errors import InputError

from . import config, security

# Separates these tokens from anything else signed with the same key.
SALT = "hclust-dashboard.session"
_INNER_ID = re.compile(r"[0-9a-f]{32}")
# A real token is about 80 characters; anything far longer is not one.
_MAX_TOKEN_LENGTH = 256

NOT_ISSUED = (
    "This page's session was not issued by this server; reload the page to start a new one."
)
EXPIRED = "This page's session has expired; reload the page to start a new one."


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(security.secret_key())


@functools.lru_cache(maxsize=4)
def _serializer_for(secret: str) -> URLSafeTimedSerializer:
    # a pure function of the key: building it (key derivation) was ~0.5 ms of every check
    return URLSafeTimedSerializer(secret, salt=SALT)


@functools.lru_cache(maxsize=4096)
def _signed(secret: str, token: str):
    """(inner value, second it was signed) of a token signed with `secret`.

    Raises ``BadSignature`` for any other token; ``lru_cache`` keeps no exception, so
    only tokens this server signed are kept and forged ones cannot push them out.

    Whether a token carries this key's signature never changes, so a page's
    token is checked once per process, not ~150 times a lesson (24 us each: an
    HMAC; 1 us once kept); its age is checked on every use (:func:`verify_session`).
    """
    inner, signed_at = _serializer_for(secret).loads(token, return_timestamp=True)
    return inner, int(signed_at.timestamp())


def issue_session() -> str:
    """A new session token: a random 128-bit id, signed and timestamped by the server."""
    return _serializer().dumps(secrets.token_hex(16))


def verify_session(token) -> str:
    """The id inside a token this server issued.

    Raises
    ------
    InputError
        For anything that is not a token signed with this server's key, or one
        older than ``SESSION_MAX_AGE_SECONDS``.
    """
    if not isinstance(token, str) or len(token) > _MAX_TOKEN_LENGTH:
        raise InputError(NOT_ISSUED)
    try:
        inner, signed_at = _signed(security.secret_key(), token)
    except BadSignature:
        raise InputError(NOT_ISSUED) from None
    # itsdangerous's own rule: whole seconds, too old or from the future is expired
    age = int(time.time()) - signed_at
    if age > config.SESSION_MAX_AGE_SECONDS or age < 0:
        raise InputError(EXPIRED)
    if not isinstance(inner, str) or not _INNER_ID.fullmatch(inner):
        raise InputError(NOT_ISSUED)
    return inner
