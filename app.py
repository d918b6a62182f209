"""Create the Dash app and expose ``server`` for gunicorn. Nothing else."""

import dash

import callbacks  # noqa: F401  (registers every callback)
from components.figures import warm_up
from components.layout import serve_layout
from hclust.ward import load_compiled
from services import compression, config, jobs

celery_app = jobs.celery_app()
app = dash.Dash(
    __name__,
    title="Hierarchical clustering explorer",
    serve_locally=True,
    background_callback_manager=jobs.background_manager(celery_app),
)
app.layout = serve_layout
server = app.server
# Uploads travel base64-encoded (4/3 larger) inside a JSON request: past this, HTTP 413.
server.config["MAX_CONTENT_LENGTH"] = int(config.MAX_UPLOAD_MB * 2**20 * 4 / 3) + 2**20
compression.enable(server)  # gzip/brotli; scripts and styles compressed once per process
warm_up()  # each worker pays plotly's first-use costs as it boots, not in a request
load_compiled()  # and the compiled Ward that background jobs (forked from it) use

if __name__ == "__main__":
    app.run(host=config.HOST, port=config.PORT, debug=False)
