"""gunicorn.conf.py as `make run` reads it, plus how long each request waited before a worker
thread took it (bench/class_sim.py passes it as a second ``-c``, which gunicorn takes instead).

The load generator stamps each request with ``X-Request-Start`` (its send time, the machine's
clock); ``pre_request`` runs as a worker thread starts on the request, and adds the wait as a
header the access log reads (``%({x-bench-wait}i)s``). The wait covers the kernel's accept
queue, gunicorn's poller and its thread pool's queue: what a request spends at the server
before any of the app's code runs.
"""

import runpy
import time
from pathlib import Path

_served = runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py"))
globals().update({name: value for name, value in _served.items() if not name.startswith("__")})


def pre_request(worker, req):
    for name, value in req.headers:
        if name == "X-REQUEST-START":
            try:
                waited = max(0.0, time.time() - float(value))
            except ValueError:
                return
            req.headers.append(("X-BENCH-WAIT", f"{waited:.4f}"))
            return
