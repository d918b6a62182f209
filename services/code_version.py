"""What makes the server's answers, besides a request: its code and its settings.

Results kept across requests that depend on how the server answers (the page's
played start, shared callback answers) carry these digests in their keys, so a
new version of the code or another configuration never reads an old answer
from a cache that outlived it (the disk cache and Redis outlive a restart).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from . import config

ROOT = Path(__file__).resolve().parent.parent
# The Python that answers requests; the browser's assets answer none.
CODE_FOLDERS = ("callbacks", "components", "hclust", "services")


@functools.cache
def code_digest() -> str:
    """SHA-256 of every Python file that answers requests, read once per process."""
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def settings_text() -> str:
    """The server's settings (``services.config``) as text, read at each call."""
    return repr(sorted((k, v) for k, v in vars(config).items() if k.isupper()))
