"""bench.class_client: a student's connections behave as a browser's, as the server sees them."""

import gzip
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.class_client import REQUEST_START_HEADER, BrowserConnections

PACKED = gzip.compress(b"console.log('a script');" * 100)


class Recorder(BaseHTTPRequestHandler):
    """Answers every request; closes a connection after `close_after` requests on it."""

    protocol_version = "HTTP/1.1"
    close_after = None

    def handle(self):
        self.served_here = 0
        super().handle()

    def do_GET(self):
        self.answer(PACKED, {"Content-Encoding": "gzip"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.answer(body, {"Content-Type": "application/json"})

    def answer(self, body: bytes, headers: dict):
        server = self.server
        with server.lock:
            server.seen.append((self.command, self.path, dict(self.headers), self.client_address))
            server.active += 1
            server.most_active = max(server.most_active, server.active)
        if server.barrier is not None:
            server.barrier.wait()  # every request of a batch in flight at once, or a timeout
        time.sleep(server.delay)
        self.served_here += 1
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with server.lock:
            server.active -= 1
        if server.close_after and self.served_here >= server.close_after:
            # a keep-alive timeout: the server closes without saying so in the answer
            self.wfile.flush()
            self.close_connection = True


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.daemon_threads = True
    httpd.seen, httpd.lock, httpd.delay = [], threading.Lock(), 0.0
    httpd.active = httpd.most_active = 0
    httpd.close_after = None
    httpd.barrier = None
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url_of(httpd) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}"


class TestBrowserConnections:
    def test_a_compressed_script_is_read_whole_and_not_unpacked(self, server):
        client = BrowserConnections(url_of(server), timeout=10)
        answer = client.get("/assets/plotly.js")
        assert answer.status == 200
        assert answer.body == PACKED  # a laptop unpacks it, not the load generator
        assert answer.headers["content-encoding"] == "gzip"
        assert server.seen[0][2]["Accept-Encoding"] == "gzip, deflate"

    def test_each_request_carries_the_time_it_was_sent(self, server):
        client = BrowserConnections(url_of(server), timeout=10)
        before = time.time()
        answer = client.post(
            "/_dash-update-component", b'{"a": 1}', {"endId": "e1"}, "application/json"
        )
        after = time.time()
        method, path, headers, _ = server.seen[0]
        assert (method, path) == ("POST", "/_dash-update-component?endId=e1")
        assert before <= float(headers[REQUEST_START_HEADER]) <= after
        assert headers["Content-Type"] == "application/json"
        assert answer.json() == {"a": 1}  # the recorder echoes the body

    def test_connections_are_kept_alive_and_reused(self, server):
        client = BrowserConnections(url_of(server), timeout=10)
        for _ in range(5):
            client.get("/x")
        assert len({seen[3] for seen in server.seen}) == 1  # one client port: one connection

    def test_a_kept_alive_connection_closed_by_the_server_is_retried_once_anew(self, server):
        server.close_after = 1  # every connection is closed after its first answer
        client = BrowserConnections(url_of(server), timeout=10)
        client.get("/first")
        time.sleep(0.05)
        answer = client.get("/second")  # on the closed connection first, then on a new one
        assert answer.status == 200
        assert [seen[1] for seen in server.seen] == ["/first", "/second"]
        assert server.seen[0][3] != server.seen[1][3]  # another connection (client port)

    def test_an_answer_reset_while_read_is_an_error_and_never_sent_again(self):
        """The status and headers arrived, then a reset: the server may have acted on it."""
        listener = socket.create_server(("127.0.0.1", 0))
        seen = []

        def serve():
            connection, _ = listener.accept()
            for answer_whole in (True, False):  # on one kept-alive connection
                request = b""
                while not request.endswith(b"\r\n\r\n"):
                    request += connection.recv(4096)
                seen.append(request.split(b" ")[1].decode())
                head = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"
                connection.sendall(head + (b"whol" if answer_whole else b"ha"))
            time.sleep(0.2)  # the client reads the half and waits for the rest
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()  # a reset, not an end
            listener.settimeout(1)
            try:
                again, _ = listener.accept()  # a request sent once more would come here
                seen.append(again.recv(4096).split(b" ")[1].decode())
                again.close()
            except OSError:
                pass

        server = threading.Thread(target=serve)
        server.start()
        client = BrowserConnections(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=5)
        assert client.get("/first").body == b"whol"
        with pytest.raises(ConnectionError):
            client.get("/second")
        server.join()
        listener.close()
        assert seen == ["/first", "/second"]

    def test_six_requests_are_in_flight_at_once_and_never_more(self, server):
        # each batch of six meets at a barrier in the server: fewer in flight would time it out
        server.barrier = threading.Barrier(6, timeout=10)
        client = BrowserConnections(url_of(server), timeout=20)
        answers = []
        threads = [
            threading.Thread(target=lambda i=i: answers.append(client.get(f"/{i}")))
            for i in range(18)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [a.status for a in answers] == [200] * 18
        assert server.most_active == 6
        assert len({seen[3] for seen in server.seen}) == 6  # six connections, each reused

    def test_a_url_under_a_path_is_refused(self):
        with pytest.raises(ValueError, match="root"):
            BrowserConnections("http://127.0.0.1:1/app", timeout=1)
