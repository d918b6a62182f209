"""gunicorn.conf.py: sized from the environment, and each worker set up before it serves."""

import importlib.util
import os
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
