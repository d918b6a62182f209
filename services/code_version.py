"""What makes the server's answers, besides a request: its code and its settings.

Results kept across requests that depend on how the server answers (the page's
played start, shared callback answers) carry these digests in their keys, so a
new version of the code or another configuration never reads an old answer
from a cache that outlived it (the disk cache and Redis outlive a restart).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
from importlib import metadata
from pathlib import Path

from . import config

ROOT = Path(__file__).resolve().parent.parent
# What answers requests: its Python and the data files beside it (bundled tables).
CODE_FOLDERS = ("callbacks", "components", "hclust", "services")
CODE_FILES = ("app.py", "requirements.txt")


def _requirements() -> list[str]:
    names = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name = re.split(r"[=<>!~;\[ ]", line.strip(), maxsplit=1)[0]
        if name and not name.startswith("#"):
            names.append(name)
    return names


@functools.cache
def code_digest() -> str:
    """SHA-256 of what answers requests, read once per process.

    Every file under :data:`CODE_FOLDERS` (Python and the bundled tables),
    :data:`CODE_FILES`, the Python version, and the installed version of each
    package ``requirements.txt`` names (plotly's figure JSON, numpy's numbers).
    """
    digest = hashlib.sha256(sys.version.encode())
    paths = [ROOT / name for name in CODE_FILES]
    for folder in CODE_FOLDERS:
        paths += sorted(
            p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\x00")
        digest.update(path.read_bytes() if path.is_file() else b"")
    for name in _requirements():
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name}=={version}\x00".encode())
    return digest.hexdigest()


def settings_text() -> str:
    """The server's settings (``services.config``, and whether a bug is raised:
    ``HCLUST_STRICT_CALLBACKS``) as text, read at each call."""
    settings = sorted((k, v) for k, v in vars(config).items() if k.isupper())
    return repr((settings, os.environ.get("HCLUST_STRICT_CALLBACKS", "")))
