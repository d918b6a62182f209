"""Create the Dash app and expose ``server`` for gunicorn. Nothing else."""

from services import config, security

# First of all, before anything opens the cache: refuse a folder someone else owns or can write.
security.ensure_private_dir(config.CACHE_DIR)

import dash  # noqa: E402

import callbacks  # noqa: E402, F401  (registers every callback)
from callbacks import first_view  # noqa: E402
from callbacks.validate import MESSAGE_OUTPUTS  # noqa: E402
from components.figures import warm_up  # noqa: E402
from components.layout import serve_layout  # noqa: E402
from hclust.ward import load_compiled  # noqa: E402
from services import answers, auth, compression, jobs, request_guard, scripts_bundle  # noqa: E402

celery_app = jobs.celery_app()


class Explorer(dash.Dash):
    """The app; each new page's layout comes with its first view answered (callbacks/first_view.py)."""

    def _config(self):
        # Dash copies the whole validation layout (about 50 KB) into every index page, for the
        # renderer to check callbacks against; it checks them against the served layout instead,
        # which holds every id. Each page's index then costs a fifth of the time.
        config = super()._config()
        config.pop("validation_layout", None)
        return config

    def serve_layout(self):
        return self.backend.make_response(
            first_view.layout_for_new_page(FIRST_VIEW),
            mimetype="application/json",
        )


app = Explorer(
    __name__,
    title="Hierarchical clustering explorer",
    serve_locally=True,
    assets_ignore=scripts_bundle.ASSETS_IGNORE,  # our scripts come in one file instead
    background_callback_manager=jobs.background_manager(celery_app),
    on_error=request_guard.callback_error_handler(MESSAGE_OUTPUTS),
)
app.layout = serve_layout
scripts_bundle.install(app)  # the page's own scripts in one request (before Dash lists its assets)
FIRST_VIEW = first_view.install(app, serve_layout)  # the layout answers what a page fired at load
app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)  # WCAG 3.1.1
server = app.server
# Uploads travel base64-encoded (4/3 larger) inside a JSON request: past this, HTTP 413.
server.config["MAX_CONTENT_LENGTH"] = int(config.MAX_UPLOAD_MB * 2**20 * 4 / 3) + 2**20
auth.install(server)  # sign-in before anything else, when AUTH_USERS_FILE or CLASS_CODE is set
request_guard.guard_endpoint(app)  # a body Dash cannot dispatch gets 400, not 500
answers.install(app)  # the same request on the same data is answered once, for every session
security.install_headers(app)  # CSP (with the inline scripts' hashes), frames, no caching
compression.enable(server)  # gzip/brotli; scripts and styles compressed once per process
warm_up()  # each worker pays plotly's first-use costs as it boots, not in a request
load_compiled()  # and the compiled Ward that background jobs (forked from it) use

if __name__ == "__main__":
    app.run(host=config.HOST, port=config.PORT, debug=False)
