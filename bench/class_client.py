"""A student's HTTP client for the class benchmark: a browser's connections, at little CPU.

The load generator runs on the cores it measures. With ``requests``, each
request cost the generator 1.9 ms of CPU (against 0.5 ms with ``http.client``,
measured side by side on loopback): at 100 students it took 25-30 % of the
machine from the server, which a class on 100 laptops does not. This client
keeps what a browser does that the server can see:

- at most :data:`CONNECTIONS` kept-alive connections per student, reused;
- ``Accept-Encoding: gzip, deflate``, as Chromium asks over plain http, and
  compressed bodies read whole, never unpacked (a laptop unpacks on its own CPU);
- one retry on a fresh connection when a kept-alive one was closed under it
  (the server's keep-alive timeout), as a browser retries; any other failure is
  the student's error;
- the time it sends each request, in ``X-Request-Start``
  (bench/gunicorn_timed.py), stamped as the request is written.
"""

from __future__ import annotations

import http.client
import json
import queue
import threading
import time
import urllib.parse
from dataclasses import dataclass

CONNECTIONS = 6  # a browser's parallel connections to one host
REQUEST_START_HEADER = "X-Request-Start"
# errors of a kept-alive connection the server closed between two requests
_STALE = (http.client.RemoteDisconnected, ConnectionError)


@dataclass
class Answer:
    status: int
    headers: dict  # lower-case names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self):
        return json.loads(self.body)


class BrowserConnections:
    """Up to :data:`CONNECTIONS` kept-alive connections to one server, shared by threads."""

    def __init__(self, url: str, timeout: float, connections: int = CONNECTIONS):
        parsed = urllib.parse.urlsplit(url)
        if parsed.path not in ("", "/"):
            raise ValueError(f"a server's root, not a path under it: {url}")
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.timeout = timeout
        self.headers = {"Accept-Encoding": "gzip, deflate"}
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._slots = queue.Queue()
        for _ in range(connections):
            self._slots.put(None)
        self._open: set = set()
        self._lock = threading.Lock()
        self._closed = False

    def _connection(self, fresh: bool):
        """A kept-alive connection if one is idle (and `fresh` is not asked), else a new one."""
        self._slots.get(timeout=self.timeout)  # at most CONNECTIONS in use at once
        if not fresh:
            try:
                return self._idle.get_nowait(), True
            except queue.Empty:
                pass
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        with self._lock:
            if self._closed:
                self._slots.put(None)
                raise ConnectionAbortedError("this student's connections are closed")
            self._open.add(connection)
        return connection, False

    def _release(self, connection, reusable: bool) -> None:
        if reusable:
            self._idle.put(connection)
        else:
            connection.close()
            with self._lock:
                self._open.discard(connection)
        self._slots.put(None)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> Answer:
        """Send one request and read its whole answer (compressed bodies are not unpacked).

        As a browser does, a request is sent again, once and on a new connection, only
        when a kept-alive connection failed before any of its answer arrived; a failure
        while the answer is read is the student's error (the server may have acted on it).
        """
        for attempt in (0, 1):
            connection, reused = self._connection(fresh=attempt > 0)
            response = None
            try:
                sent = dict(self.headers, **(headers or {}))
                sent[REQUEST_START_HEADER] = f"{time.time():.6f}"
                connection.request(method, path, body=body, headers=sent)
                response = connection.getresponse()
                data = response.read()
            except _STALE:
                self._release(connection, False)
                if reused and attempt == 0 and response is None:
                    continue  # the server closed a kept-alive connection: once more, anew
                raise
            except BaseException:
                self._release(connection, False)
                raise
            headers = {name.lower(): value for name, value in response.getheaders()}
            self._release(connection, not response.will_close)
            return Answer(response.status, headers, data)
        raise AssertionError("unreachable")

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, body: bytes, query: dict, content_type: str) -> Answer:
        target = f"{path}?{urllib.parse.urlencode(query)}" if query else path
        return self.request("POST", target, body, {"Content-Type": content_type})

    def close(self) -> None:
        """Close every connection; a request still running afterwards gets no new one."""
        with self._lock:
            self._closed = True
            connections, self._open = list(self._open), set()
        for connection in connections:
            connection.close()
