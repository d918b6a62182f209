"""Limits the server enforces whatever the browser does."""

from app import server
from services import config


class TestUploadLimit:
    def test_over_the_limit_is_refused_with_413(self):
        too_big = b"x" * (server.config["MAX_CONTENT_LENGTH"] + 1)
        response = server.test_client().post(
            "/_dash-update-component", data=too_big, content_type="application/json"
        )
        assert response.status_code == 413

    def test_limit_allows_a_file_of_max_upload_mb_after_base64(self):
        # a file of MAX_UPLOAD_MB grows by 4/3 in base64 and must still fit
        assert server.config["MAX_CONTENT_LENGTH"] >= config.MAX_UPLOAD_MB * 2**20 * 4 / 3

    def test_within_the_limit_reaches_dash(self):
        response = server.test_client().post(
            "/_dash-update-component", data=b"{}", content_type="application/json"
        )
        assert response.status_code != 413
