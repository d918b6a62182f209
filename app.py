"""Create the Dash app and expose ``server`` for gunicorn. Nothing else."""
import dash

import callbacks  # noqa: F401  (registers every callback)
from components.layout import serve_layout
from services import config, jobs

celery_app = jobs.celery_app()
app = dash.Dash(
    __name__,
    title="Hierarchical clustering explorer",
    serve_locally=True,
    background_callback_manager=jobs.background_manager(celery_app),
)
app.layout = serve_layout
server = app.server

if __name__ == "__main__":
    app.run(host=config.HOST, port=config.PORT, debug=False)
