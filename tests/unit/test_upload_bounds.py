"""Issue #10 point 6: uploads bounded by shape and time, and large ones never parsed in the request."""

import io
import re
import zipfile

import numpy as np
import openpyxl
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from callbacks.data import UPLOAD, read_large_upload, receive_upload
from hclust.errors import InputError
from hclust.io import UploadLimits, parse_upload
from services import config, store
from tests.helpers import call, data_url, new_session


def csv_rows(n_rows, n_columns=2, header=True):
    lines = [",".join(f"c{j}" for j in range(n_columns))] if header else []
    lines += [",".join(f"{i}.{j}" for j in range(n_columns)) for i in range(n_rows)]
    return ("\n".join(lines) + "\n").encode()


def workbook(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_dimension(content, ref):
    """The workbook with its first sheet's declared dimension replaced (writers get it wrong)."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data)
            out.writestr(info, data)
    return target.getvalue()


class TestRows:
    def test_the_limit_itself_is_accepted(self):
        table = parse_upload(csv_rows(30), "ok.csv", limits=UploadLimits(max_rows=30))
        assert len(table.frame) == 30

    @pytest.mark.parametrize("header", [True, False])
    def test_one_row_over_is_refused_naming_the_setting(self, header):
        with pytest.raises(InputError, match=r"more than 30 data rows.*MAX_ROWS"):
            parse_upload(csv_rows(31, header=header), "big.csv", limits=UploadLimits(max_rows=30))

    def test_a_million_rows_are_refused_without_reading_to_the_end(self):
        """The issue's 1,000,000-row file: reading stops at the first line over the default bound."""
        content = b"x,y\n" + b"1.5,2.5\n" * 1_000_000
        with pytest.raises(
            InputError, match=r"stopped at line 200002\).*200,000 rows \(MAX_ROWS\)"
        ):
            parse_upload(content, "million.csv")

    def test_whitespace_text_is_bounded_too(self):
        content = b"".join(b"%d %d\n" % (i, i) for i in range(50))
        with pytest.raises(InputError, match="MAX_ROWS"):
            parse_upload(content, "spaces.txt", limits=UploadLimits(max_rows=20))


class TestColumns:
    def test_one_row_of_100000_cells_is_refused(self):
        """The issue's 1 × 100,000 upload."""
        line = ",".join(["1"] * 100_000).encode()
        with pytest.raises(
            InputError, match=r"100,000 columns at line 1.*1,000 columns \(MAX_COLUMNS\)"
        ):
            parse_upload(line + b"\n" + line + b"\n", "wide.csv")

    def test_the_limit_itself_is_accepted(self):
        table = parse_upload(csv_rows(5, 12), "ok.csv", limits=UploadLimits(max_columns=12))
        assert table.frame.shape == (5, 12)

    def test_one_column_over_is_refused(self):
        with pytest.raises(InputError, match="13 columns.*MAX_COLUMNS"):
            parse_upload(csv_rows(5, 13), "wide.csv", limits=UploadLimits(max_columns=12))


class TestCells:
    def test_rows_times_columns_is_bounded(self):
        limits = UploadLimits(max_cells=100)
        assert parse_upload(csv_rows(20, 5), "ok.csv", limits=limits).frame.shape == (20, 5)
        with pytest.raises(InputError, match=r"more than 100 cells.*\(MAX_CELLS\)"):
            parse_upload(csv_rows(21, 5), "big.csv", limits=limits)


class TestWorkbooks:
    def test_rows_are_counted_while_streaming(self):
        content = workbook([["a", "b"]] + [[i, i * 2.0] for i in range(40)])
        with pytest.raises(
            InputError, match=r"more than 30 data rows \(reading stopped at row 32\).*MAX_ROWS"
        ):
            parse_upload(content, "big.xlsx", limits=UploadLimits(max_rows=30))

    def test_columns_are_counted(self):
        content = workbook([list(range(50)), list(range(50))])
        with pytest.raises(InputError, match="50 columns at row 1.*MAX_COLUMNS"):
            parse_upload(content, "wide.xlsx", limits=UploadLimits(max_columns=40))

    def test_a_wrong_declared_dimension_does_not_decide(self):
        """A writer may declare A1:XFD1048576: the rows actually present are what count."""
        content = with_dimension(
            workbook([["a", "b"]] + [[i, i + 0.5] for i in range(10)]), "A1:XFD1048576"
        )
        table = parse_upload(content, "odd.xlsx", limits=UploadLimits(max_rows=30, max_columns=40))
        assert table.frame.shape == (10, 2)
        np.testing.assert_array_equal(table.frame["b"], np.arange(10) + 0.5)

    def test_a_zip_bomb_is_refused_naming_the_setting(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"<" * (3 * 2**20))
        assert len(buffer.getvalue()) < 50_000
        with pytest.raises(
            InputError, match=r"unpacks to 3 MB, over the 2 MB.*MAX_XLSX_UNPACKED_MB"
        ):
            parse_upload(
                buffer.getvalue(), "bomb.xlsx", limits=UploadLimits(max_unpacked_bytes=2 * 2**20)
            )


class TestTime:
    @pytest.mark.parametrize(
        "content, filename",
        [
            (csv_rows(5_000), "slow.csv"),
            (workbook([["a", "b"]] + [[i, i] for i in range(5_000)]), "slow.xlsx"),
        ],
    )
    def test_reading_past_the_time_limit_is_stopped(self, content, filename):
        with pytest.raises(
            InputError, match=r"longer than the 0 s limit \(PARSE_TIMEOUT_SECONDS\)"
        ):
            parse_upload(content, filename, limits=UploadLimits(max_seconds=0))

    def test_no_time_limit_reads_it(self):
        table = parse_upload(csv_rows(5_000), "ok.csv", limits=UploadLimits(max_seconds=None))
        assert len(table.frame) == 5_000


@pytest.fixture
def small_inline_limit(monkeypatch):
    """Files above 1 KB go to the background job."""
    monkeypatch.setattr(config, "INLINE_PARSE_KB", 1)


def upload(session_id, content, filename):
    return call(
        receive_upload, contents=data_url(content), filename=filename, session_id=session_id
    )


class TestLargeUploadsLeaveTheRequest:
    def test_a_large_file_is_not_parsed_in_the_request(self, small_inline_limit, monkeypatch):
        session_id = new_session()
        parsed = []
        monkeypatch.setattr("callbacks.data.parse_upload", lambda *a, **k: parsed.append(a))
        options, value, version, note, job = upload(session_id, csv_rows(500), "big.csv")
        assert parsed == []
        assert (options, value, version) == (no_update,) * 3
        assert note.startswith("Reading big.csv") and isinstance(job["job"], str)
        assert store.get_store().session_value(session_id, "table") is None

    def test_the_job_reads_it_and_selects_it(self, small_inline_limit):
        session_id = new_session()
        *_, job = upload(session_id, csv_rows(500), "big.csv")
        options, value, version, error = call(read_large_upload, job=job, session_id=session_id)
        assert (
            value == UPLOAD and error is no_update and version == {"file": "big.csv", "rows": 500}
        )
        assert options[-1] == {"label": "Uploaded: big.csv", "value": UPLOAD}
        assert store.get_store().session_value(session_id, "table").frame.shape == (500, 2)
        assert store.get_store().session_value(session_id, "pending-upload") is None

    def test_the_job_applies_the_bounds(self, small_inline_limit, monkeypatch):
        monkeypatch.setattr(config, "MAX_ROWS", 100)
        session_id = new_session()
        store.get_store().put_session_value(session_id, "table", "the earlier table")
        *_, job = upload(session_id, csv_rows(500), "big.csv")
        options, value, version, error = call(read_large_upload, job=job, session_id=session_id)
        assert (options, value, version) == (no_update,) * 3
        assert "MAX_ROWS" in error and error.endswith("The data loaded before is unchanged.")
        assert store.get_store().session_value(session_id, "table") == "the earlier table"

    def test_a_newer_upload_overtakes_an_older_job(self, small_inline_limit):
        session_id = new_session()
        *_, old_job = upload(session_id, csv_rows(500), "old.csv")
        *_, new_job = upload(session_id, csv_rows(600), "new.csv")
        with pytest.raises(PreventUpdate):
            call(read_large_upload, job=old_job, session_id=session_id)
        assert call(read_large_upload, job=new_job, session_id=session_id)[2]["rows"] == 600

    def test_a_small_upload_after_a_large_one_wins(self, small_inline_limit):
        session_id = new_session()
        *_, job = upload(session_id, csv_rows(500), "big.csv")
        small = upload(session_id, b"a,b\n1,2\n3,4\n", "small.csv")
        assert small[1] == UPLOAD and small[4] is no_update
        with pytest.raises(PreventUpdate):
            call(read_large_upload, job=job, session_id=session_id)
        assert store.get_store().session_value(session_id, "table").filename == "small.csv"

    def test_a_workbook_leaves_the_request_at_a_smaller_size(self, monkeypatch):
        """A workbook is read ~15x slower per byte than CSV, so its inline bound is smaller."""
        monkeypatch.setattr(config, "INLINE_PARSE_KB", 64)
        content = workbook([["a", "b"]] + [[i, i * 0.5] for i in range(400)])
        assert 4 * 1024 < len(content) < 64 * 1024
        session_id = new_session()
        *outputs, note, job = upload(session_id, content, "book.xlsx")
        assert outputs == [no_update] * 3 and note.startswith("Reading book.xlsx")
        assert call(read_large_upload, job=job, session_id=session_id)[2]["rows"] == 400

    def test_the_request_bounds_hold_inline_too(self, monkeypatch):
        monkeypatch.setattr(config, "MAX_COLUMNS", 3)
        options, value, version, error, job = upload(new_session(), csv_rows(5, 4), "wide.csv")
        assert value is no_update and job is no_update
        assert "4 columns" in error and "3 columns (MAX_COLUMNS)" in error

    def test_a_job_for_a_session_not_issued_is_refused(self, small_inline_limit):
        session_id = new_session()
        *_, job = upload(session_id, csv_rows(500), "big.csv")
        *_, error = call(read_large_upload, job=job, session_id="0" * 32)
        assert "not issued by this server" in error
