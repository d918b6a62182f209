"""Settings read from the environment, with defaults for one machine."""

import os
import tempfile


def _int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


HOST = os.environ.get("HOST", "127.0.0.1")
PORT = _int("PORT", 8050)
CACHE_DIR = os.environ.get(
    "CACHE_DIR", os.path.join(tempfile.gettempdir(), "hclust-dashboard-cache")
)
REDIS_URL = os.environ.get("REDIS_URL", "")
# A session untouched for this long is forgotten; shared results live as long.
SESSION_TTL_SECONDS = _int("SESSION_TTL_SECONDS", 6 * 3600)
CACHE_SIZE_LIMIT_MB = _int("CACHE_SIZE_LIMIT_MB", 2048)
MAX_UPLOAD_MB = _int("MAX_UPLOAD_MB", 50)
MAX_MEMORY_MB = _int("MAX_MEMORY_MB", 2048)

# --- The instance's job budget (services/budget.py, issue #10 point 5) ---
# Background jobs that run at once, and the sum of their memory estimates.
INSTANCE_JOBS = max(1, _int("INSTANCE_JOBS", os.cpu_count() or 1))
INSTANCE_MEMORY_MB = max(1, _int("INSTANCE_MEMORY_MB", max(MAX_MEMORY_MB, 4096)))
# Jobs that may wait for a turn at once; past this a request is refused (the page says why).
INSTANCE_QUEUE = max(1, _int("INSTANCE_QUEUE", 32))
# A job whose page has not asked for it for this long is cancelled. Browsers slow
# the timers of hidden tabs to one a minute, so keep this above 60 s.
JOB_ABANDON_SECONDS = max(1, _int("JOB_ABANDON_SECONDS", 120))
