"""gunicorn.conf.py: sized from the environment, and each worker set up before it serves."""

import importlib.util
import os
import socket
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import dash
from dash import html

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def load_conf(**env):
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", CONF)
    module = importlib.util.module_from_spec(spec)
    keys = ("HOST", "PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT")
    keys += ("GUNICORN_SEND_BUFFER",)
    clean = {k: v for k, v in os.environ.items() if k not in keys}
    with mock.patch.dict(os.environ, {**clean, **env}, clear=True):
        spec.loader.exec_module(module)
    return module


class TestSizing:
    def test_defaults_are_one_threaded_worker_per_core(self):
        conf = load_conf()
        assert conf.workers == (os.cpu_count() or 1)
        assert conf.threads > 1 and conf.worker_class == "gthread"
        assert conf.bind == "127.0.0.1:8050"
        assert conf.control_socket_disable is True  # several instances on one machine

    def test_environment_overrides(self):
        conf = load_conf(
            HOST="0.0.0.0",
            PORT="9000",
            WEB_CONCURRENCY="3",
            GUNICORN_THREADS="1",
            GUNICORN_TIMEOUT="30",
        )
        assert (conf.bind, conf.workers, conf.threads, conf.timeout) == ("0.0.0.0:9000", 3, 1, 30)
        assert conf.worker_class == "sync"

    def test_nonsense_falls_back_to_the_default(self):
        assert load_conf(GUNICORN_THREADS="many").threads == 8


class TestSendBuffer:
    """A connection's kernel send buffer holds a whole script (see ``when_ready``)."""

    def serve(self, conf):
        listener = socket.create_server(("127.0.0.1", 0))
        logged = []
        log = SimpleNamespace(info=lambda *args: logged.append(args))
        conf.when_ready(SimpleNamespace(LISTENERS=[listener], log=log))
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
        sizes = [s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) for s in (listener, accepted)]
        for s in (client, accepted, listener):
            s.close()
        return sizes, logged

    def test_every_connection_gets_the_buffer_asked_for(self):
        asked = 1_000_000  # or this machine's cap (net.core.wmem_max), whichever is less
        with open("/proc/sys/net/core/wmem_max") as cap:
            asked = min(asked, int(cap.read()))
        (listening, accepted), logged = self.serve(load_conf(GUNICORN_SEND_BUFFER=str(asked)))
        assert listening == accepted == 2 * asked  # Linux reports twice (its bookkeeping)
        assert logged and logged[0][1] == [asked]

    def test_zero_leaves_the_kernel_its_own_sizing(self):
        conf = load_conf(GUNICORN_SEND_BUFFER="0")
        (listening, _), logged = self.serve(conf)
        assert conf.send_buffer_bytes == 0 and logged == []
        assert listening == socket.socket().getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)

    def test_default_and_nonsense(self):
        assert load_conf().send_buffer_bytes == 4 * 2**20
        assert load_conf(GUNICORN_SEND_BUFFER="lots").send_buffer_bytes == 4 * 2**20


class TestWorkerSetup:
    def test_dash_is_set_up_before_the_first_request(self):
        # a fresh app, as a worker has after loading app:server
        fresh = dash.Dash("fresh_app_for_conf_test", serve_locally=True)
        fresh.layout = html.Div("x")
        assert not fresh.registered_paths  # a script request now would be refused (HTTP 500)
        load_conf().post_worker_init(SimpleNamespace(wsgi=fresh.server))
        assert fresh.registered_paths["dash"]
        scripts = fresh.server.test_client().get("/").get_data(as_text=True)
        assert "_dash-component-suites/dash/" in scripts
