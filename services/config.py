"""Settings read from the environment, with defaults for one machine."""

import os
import tempfile


def _int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _flag(name, default=False):
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def default_cache_dir() -> str:
    """A per-user cache folder: ``$XDG_CACHE_HOME`` or ``~/.cache``, never the shared /tmp.

    A fixed path in the shared temporary folder lets another local user read
    the uploads or plant the folder (and its pickles) first.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # no home directory: a per-user name in the temporary folder
        return os.path.join(tempfile.gettempdir(), f"hclust-dashboard-{os.getuid()}")
    return os.path.join(base, "hclust-dashboard")


HOST = os.environ.get("HOST", "127.0.0.1")
PORT = _int("PORT", 8050)
CACHE_DIR = os.environ.get("CACHE_DIR") or default_cache_dir()
REDIS_URL = os.environ.get("REDIS_URL", "")
# A session untouched for this long is forgotten; shared results live as long.
SESSION_TTL_SECONDS = _int("SESSION_TTL_SECONDS", 6 * 3600)
CACHE_SIZE_LIMIT_MB = _int("CACHE_SIZE_LIMIT_MB", 2048)
# The same request on the same data is answered once for every session (services/answers.py).
SHARE_ANSWERS = _flag("SHARE_ANSWERS", True)
MAX_UPLOAD_MB = _int("MAX_UPLOAD_MB", 50)
MAX_MEMORY_MB = _int("MAX_MEMORY_MB", 2048)

# Sessions: signed by the server with SECRET_KEY (generated into CACHE_DIR when unset).
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# A page's session token is refused after this long, even if the page stays open.
SESSION_MAX_AGE_SECONDS = _int("SESSION_MAX_AGE_SECONDS", 7 * 24 * 3600)

# Uploads are bounded by shape and time as well as bytes. 200,000 rows leaves
# room for 100,000-row analyst files; 10 M cells is 100,000 × 100.
MAX_ROWS = _int("MAX_ROWS", 200_000)
MAX_COLUMNS = _int("MAX_COLUMNS", 1_000)
MAX_CELLS = _int("MAX_CELLS", 10_000_000)
MAX_XLSX_UNPACKED_MB = _int("MAX_XLSX_UNPACKED_MB", 200)
# Reading runs in a background job; a 50,000-row workbook takes about a minute.
PARSE_TIMEOUT_SECONDS = _int("PARSE_TIMEOUT_SECONDS", 120)
# Uploads above this size are parsed in a background job, never in the
# worker that answers everyone's light callbacks.
INLINE_PARSE_KB = _int("INLINE_PARSE_KB", 512)

# Optional sign-in: a users file of "name:werkzeug-password-hash" lines, and/or
# a class code a teacher hands out. Neither set: the instance is open.
AUTH_USERS_FILE = os.environ.get("AUTH_USERS_FILE", "")
CLASS_CODE = os.environ.get("CLASS_CODE", "")
# Send the sign-in cookie over HTTPS only (set when served behind TLS).
SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE")

# --- The instance's job budget (services/budget.py, issue #10 point 5) ---
# Background jobs that run at once, and the sum of their memory estimates.
INSTANCE_JOBS = max(1, _int("INSTANCE_JOBS", os.cpu_count() or 1))
INSTANCE_MEMORY_MB = max(1, _int("INSTANCE_MEMORY_MB", max(MAX_MEMORY_MB, 4096)))
# Jobs that may wait for a turn at once; past this a request is refused (the page says why).
INSTANCE_QUEUE = max(1, _int("INSTANCE_QUEUE", 32))
# A job whose page has not asked for it for this long is cancelled. Browsers slow
# the timers of hidden tabs to one a minute, so keep this above 60 s.
JOB_ABANDON_SECONDS = max(1, _int("JOB_ABANDON_SECONDS", 120))
