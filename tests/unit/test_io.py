"""Reading uploads: formats, encodings, headers, and every refusal."""

import base64
import io
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hclust.data import Dataset
from hclust.errors import InputError
from hclust.io import (
    ParsedTable,
    UploadLimits,
    check_upload_size,
    decode_dash_upload,
    parse_upload,
)
from hclust.preprocess import SCALINGS, build_dataset, numeric_columns

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "uploads"


def fixture(name):
    return (FIXTURES / name).read_bytes()


def png_bytes():
    """A real 1 × 1 PNG image."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def xlsx_bytes(rows, *, start_row=1, start_col=1, extra_sheets=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                sheet.cell(row=start_row + i, column=start_col + j, value=value)
    for title in extra_sheets:
        workbook.create_sheet(title)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class TestDecodeDashUpload:
    def test_round_trips_the_payload(self):
        payload = b"x,y\n1,2\n\x00\xff"
        contents = "data:text/csv;base64," + base64.b64encode(payload).decode()
        assert decode_dash_upload(contents) == payload

    def test_accepts_an_empty_mime_type(self):
        assert decode_dash_upload("data:;base64," + base64.b64encode(b"a").decode()) == b"a"

    @pytest.mark.parametrize(
        "contents",
        [
            None,
            42,
            "",
            "x,y\n1,2",
            "data:text/csv,1,2",
            "data:text/csv;base64",
            "data:text/csv;base64,@@@not base64@@@",
            "data:text/csv;base64,YWJ",
        ],
    )
    def test_refuses_malformed_contents(self, contents):
        with pytest.raises(InputError, match="upload"):
            decode_dash_upload(contents)

    def test_refuses_an_oversized_payload_before_decoding(self):
        contents = "data:text/csv;base64," + "A" * (2 * 1024 * 1024)
        with pytest.raises(InputError, match="limit is 1 MB"):
            decode_dash_upload(contents, limit_mb=1)


class TestCheckUploadSize:
    def test_accepts_a_file_at_the_limit(self):
        check_upload_size(5 * 1024 * 1024, 5)

    def test_refuses_a_file_over_the_limit_naming_both_sizes(self):
        with pytest.raises(InputError, match=r"12\.0 MB; the upload limit is 10 MB"):
            check_upload_size(12 * 1024 * 1024, 10)


class TestTextFormats:
    def test_comma_separated_with_header(self):
        table = parse_upload(b"x,y,name\n1,2,a\n3,4.5,b\n", "data.csv")
        assert isinstance(table, ParsedTable)
        assert (table.format, table.delimiter, table.encoding, table.has_header) == (
            "csv",
            ",",
            "utf-8",
            True,
        )
        assert list(table.frame.columns) == ["x", "y", "name"]
        assert table.frame["y"].tolist() == [2.0, 4.5]
        assert table.frame["name"].tolist() == ["a", "b"]
        assert table.source_rows == (2, 3)

    def test_tab_separated(self):
        table = parse_upload(fixture("tabs.tsv"), "tabs.tsv")
        assert (table.format, table.delimiter) == ("tsv", "\t")
        assert table.frame["x"].tolist() == [1.0, 3.0, 5.0]
        assert table.frame["id"].tolist() == ["A", "B", "C"]

    def test_semicolons_with_decimal_commas_in_latin1(self):
        table = parse_upload(fixture("semicolon_decimal_comma_latin1.csv"), "export.csv")
        assert (table.format, table.delimiter, table.encoding) == ("semicolon", ";", "latin-1")
        assert table.decimal_comma
        assert list(table.frame.columns) == ["Probe", "Länge", "Breite", "Gewicht"]
        assert table.frame["Länge"].tolist() == [1.5, 3.0, -0.75, 2.0]
        assert table.frame["Breite"].tolist() == [2.25, 4.5, 1000.0, 3.0]
        assert np.isnan(table.frame["Gewicht"][1])
        assert table.frame["Probe"].tolist() == ["Äpfel", "Birnen", "Käse", "Crème"]
        assert any("Latin-1" in note for note in table.notes)
        assert any("decimal comma" in note for note in table.notes)

    def test_whitespace_separated_without_header(self):
        table = parse_upload(fixture("whitespace_no_header.txt"), "points.txt")
        assert (table.format, table.has_header) == ("whitespace", False)
        assert list(table.frame.columns) == ["column_1", "column_2", "column_3"]
        assert table.frame.to_numpy().tolist() == [
            [1.0, 2.0, 3.0],
            [4.5, 5.0, 6.0],
            [7.0, 8.0, 9.25],
        ]
        # The blank line 3 is skipped but still counted.
        assert table.source_rows == (1, 2, 4)

    def test_utf8_with_bom_and_quoted_commas(self):
        table = parse_upload(fixture("utf8_bom.csv"), "cities.csv")
        assert table.encoding == "utf-8-sig"
        assert list(table.frame.columns) == ["name", "x", "y"]  # no BOM glued to the first name
        assert table.frame["name"].tolist() == ["Zürich, CH", "São Paulo, BR", "Tōkyō, JP"]

    def test_windows_1252_when_latin1_controls_would_appear(self):
        content = "name;price\nA €;1,5\nB „q“;2,5\n".encode("cp1252")
        table = parse_upload(content, "prices.csv")
        assert table.encoding == "cp1252"
        assert table.frame["name"].tolist() == ["A €", "B „q“"]

    def test_utf16_with_bom(self):
        table = parse_upload("a\tb\n1\t2\n3\t4\n".encode("utf-16"), "excel-unicode.txt")
        assert table.encoding == "utf-16"
        assert table.frame["b"].tolist() == [2.0, 4.0]

    def test_crlf_and_old_mac_line_endings(self):
        for newline in ("\r\n", "\r"):
            table = parse_upload(newline.join(["x,y", "1,2", "3,4"]).encode(), "data.csv")
            assert table.frame.to_numpy().tolist() == [[1.0, 2.0], [3.0, 4.0]]

    def test_pipe_separated(self):
        table = parse_upload(b"x|y\n1|2\n3|4\n", "data.txt")
        assert (table.format, table.delimiter) == ("pipe", "|")

    def test_single_column(self):
        table = parse_upload(b"height\n1.5\n2\n", "heights.csv")
        assert table.format == "single-column"
        assert table.frame["height"].tolist() == [1.5, 2.0]

    def test_trailing_delimiters_are_ignored(self):
        table = parse_upload(b"x,y,\n1,2,\n3,4,\n", "data.csv")
        assert list(table.frame.columns) == ["x", "y"]

    def test_semicolon_file_whose_decimal_commas_split_evenly_on_commas(self):
        # Splits into 4 fields on ',' in every line, yet ';' is the delimiter.
        table = parse_upload(b"1,5;2,5\n3,5;4,5\n5,5;6,5\n", "data.csv")
        assert table.delimiter == ";"
        assert table.frame.to_numpy().tolist() == [[1.5, 2.5], [3.5, 4.5], [5.5, 6.5]]

    def test_r_write_table_header_without_the_row_name_column(self):
        table = parse_upload(b'"x" "y"\n"r1" 1 2\n"r2" 3 4\n', "r.txt")
        assert list(table.frame.columns) == ["row_name", "x", "y"]
        assert table.frame["row_name"].tolist() == ["r1", "r2"]

    def test_notes_a_pandas_index_column(self):
        table = parse_upload(b",x,y\n0,1,2\n1,3,5\n2,5,4\n", "pandas.csv")
        assert list(table.frame.columns) == ["column_1", "x", "y"]
        assert any("row index" in note and "column_1" in note for note in table.notes)

    def test_missing_value_tokens_become_nan(self):
        table = parse_upload(b"x,y\n1,NA\n,2\nnan,?\n4,null\n", "data.csv")
        assert np.isnan(table.frame["x"].to_numpy()).tolist() == [False, True, True, False]
        assert np.isnan(table.frame["y"].to_numpy()).tolist() == [True, False, True, True]

    def test_infinities_are_kept_for_the_builder_to_report(self):
        table = parse_upload(b"x,y\n1,inf\n2,-Infinity\n3,1e999\n", "data.csv")
        assert table.frame["y"].tolist() == [np.inf, -np.inf, np.inf]

    def test_a_column_with_any_text_is_a_text_column(self):
        table = parse_upload(b"x,y\n1,2\n3,abc\n", "data.csv")
        assert table.frame["x"].dtype.kind == "f"
        assert table.frame["y"].tolist() == ["2", "abc"]

    def test_non_ascii_digits_are_not_numbers(self):
        table = parse_upload("x,y\n١,2\n٢,3\n".encode(), "data.csv")
        assert table.frame["x"].dtype == object


class TestHeaderDetection:
    def test_text_above_numbers_is_a_header(self):
        assert parse_upload(b"a,b\n1,2\n3,4\n", "d.csv").has_header

    def test_numbers_in_the_first_row_are_data(self):
        table = parse_upload(b"1,2\n3,4\n", "d.csv")
        assert not table.has_header
        assert table.frame.to_numpy().tolist() == [[1.0, 2.0], [3.0, 4.0]]
        assert table.source_rows == (1, 2)

    def test_labels_in_data_rows_do_not_make_a_header(self):
        table = parse_upload(b"a,1,2\nb,3,4\nc,5,6\n", "d.csv")
        assert not table.has_header
        assert table.frame["column_1"].tolist() == ["a", "b", "c"]

    def test_header_can_be_forced_either_way(self):
        forced = parse_upload(b"1,2\n3,4\n5,6\n", "d.csv", header=True)
        assert list(forced.frame.columns) == ["1", "2"]
        assert forced.frame.to_numpy().tolist() == [[3.0, 4.0], [5.0, 6.0]]
        no_header = parse_upload(b"a,b\n1,2\n3,4\n", "d.csv", header=False)
        assert no_header.frame["column_1"].tolist() == ["a", "1", "3"]

    def test_empty_header_cells_are_named_by_position(self):
        table = parse_upload(b"x,,z\n1,2,3\n4,5,6\n", "d.csv")
        assert list(table.frame.columns) == ["x", "column_2", "z"]


class TestExcel:
    def test_reads_the_first_sheet_with_row_numbers_as_excel_shows_them(self):
        content = xlsx_bytes(
            [["x", "y", "name"], [1.5, 2, "a"], [None, None, None], [3.25, 4, "b"]],
            start_row=3,
            start_col=2,
            extra_sheets=["Notes"],
        )
        table = parse_upload(content, "book.xlsx")
        assert (table.format, table.encoding, table.has_header) == ("xlsx", None, True)
        assert list(table.frame.columns) == ["x", "y", "name"]
        assert table.frame["x"].tolist() == [1.5, 3.25]
        assert table.source_rows == (4, 6)
        assert table.where(1) == "row 6"
        assert "Read sheet 'Data' (the first of 2 sheets)" in table.notes

    def test_floats_are_read_exactly_as_stored(self):
        content = xlsx_bytes([["v"]] + [[v] for v in [0.1, 1 / 3, 1e-300, 123456789.123456789, 7]])
        stored = [
            row[0]
            for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(
                min_row=2, values_only=True
            )
        ]
        table = parse_upload(content, "book.xlsx")
        assert table.frame["v"].tolist() == stored
        assert stored[:3] == [0.1, 1 / 3, 1e-300]

    def test_a_workbook_uploaded_under_a_csv_name_is_still_read(self):
        table = parse_upload(xlsx_bytes([["a", "b"], [1, 2], [3, 4]]), "data.csv")
        assert table.format == "xlsx"

    def test_empty_sheet(self):
        with pytest.raises(InputError, match="empty"):
            parse_upload(xlsx_bytes([]), "empty.xlsx")

    def test_damaged_workbook(self):
        with pytest.raises(InputError, match="damaged|could not be read"):
            parse_upload(b"PK\x03\x04" + b"\x00garbage" * 20, "book.xlsx")

    def test_zip_that_is_not_a_workbook(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("data.csv", "x,y\n1,2\n")
        with pytest.raises(InputError, match="not an Excel .xlsx workbook"):
            parse_upload(buffer.getvalue(), "data.xlsx")

    def test_zip_bomb_is_refused_before_unpacking(self):
        limits = UploadLimits(max_unpacked_bytes=10 * 1024 * 1024)  # keeps the test quick
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (10 * 1024 * 1024 + 1))
        assert len(buffer.getvalue()) < 100_000
        with pytest.raises(
            InputError, match="unpacks to 10 MB, over the 10 MB.*MAX_XLSX_UNPACKED_MB"
        ):
            parse_upload(buffer.getvalue(), "bomb.xlsx", limits=limits)

    def test_text_named_xlsx(self):
        with pytest.raises(InputError, match="named like an Excel workbook but is not one"):
            parse_upload(b"x,y\n1,2\n3,4\n", "data.xlsx")

    def test_old_xls_format(self):
        with pytest.raises(InputError, match=r"old-style Excel \(.xls\)"):
            parse_upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old.xls")


class TestRefusals:
    def test_empty_file(self):
        with pytest.raises(InputError, match="'e.csv' is empty"):
            parse_upload(b"", "e.csv")

    def test_blank_lines_only(self):
        with pytest.raises(InputError, match="empty"):
            parse_upload(b"\n \r\n\t\n", "blank.csv")

    def test_header_only(self):
        with pytest.raises(InputError, match="header row but no data rows"):
            parse_upload(b"x,y,z\n", "h.csv")

    def test_single_data_row(self):
        with pytest.raises(InputError, match=r"single data row \(line 2\); at least 2 rows"):
            parse_upload(b"x,y\n1,2\n", "one.csv")

    def test_single_row_without_header(self):
        with pytest.raises(InputError, match=r"single data row \(line 1\)"):
            parse_upload(b"1,2,3\n", "one.csv")

    def test_duplicate_column_names(self):
        with pytest.raises(InputError, match=r"'x' appears twice \(columns 1 and 3\)"):
            parse_upload(b"x,y,x\n1,2,3\n4,5,6\n", "dup.csv")

    def test_ragged_rows_name_the_line(self):
        with pytest.raises(InputError, match="Line 4 has 3 fields but line 1 has 2"):
            parse_upload(fixture("ragged.csv"), "ragged.csv")

    def test_short_row_names_the_line(self):
        with pytest.raises(InputError, match="Line 3 has 2 fields but line 1 has 3"):
            parse_upload(b"a,b,c\n1,2,3\n4,5\n7,8,9\n", "short.csv")

    def test_ragged_whitespace_file(self):
        with pytest.raises(
            InputError, match="Line 3 has 3 whitespace-separated values but line 1 has 2"
        ):
            parse_upload(b"1 2\n3 4\n5 6 7\n8 9\n10 11\n", "w.txt")

    def test_ragged_line_number_counts_quoted_newlines(self):
        with pytest.raises(InputError, match="Line 4 has 1 fields"):
            parse_upload(b'name,x\n"two\nlines",1\nb\nc,3\n', "q.csv")

    def test_png_renamed_csv(self):
        with pytest.raises(InputError, match="looks like a PNG image, not a table"):
            parse_upload(png_bytes(), "photo.csv")

    def test_binary_garbage(self):
        garbage = np.random.RandomState(0).bytes(2000)
        with pytest.raises(InputError, match="neither UTF-8 nor Latin-1|not a text table"):
            parse_upload(garbage, "garbage.csv")

    def test_non_utf8_non_latin1_file(self):
        # UTF-16 without a byte-order mark: invalid UTF-8, and NUL bytes rule out Latin-1 text.
        content = "naïve,x\nà,1\nè,2\n".encode("utf-16-le")
        with pytest.raises(InputError, match="neither UTF-8 nor Latin-1"):
            parse_upload(content, "utf16.csv")

    def test_utf8_text_with_control_characters(self):
        with pytest.raises(InputError, match="line 2 contains the control character U\\+0007"):
            parse_upload(b"x,y\n1,\x072\n3,4\n", "bell.csv")

    def test_not_bytes(self):
        with pytest.raises(InputError):
            parse_upload("x,y\n1,2\n", "str.csv")


# Cells that are mostly numbers, sometimes missing, text or awkward.
_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(-1e6, 1e6).map(lambda v: f"{v:.3f}"),
    st.integers(-(10**6), 10**6).map(str),
)
_cells = st.one_of(
    _numbers,
    _numbers,
    _numbers,
    st.sampled_from(
        ["", "NA", "?", "x", "a b", '"q"', '"1,5"', "1,5", "inf", "-0", "1e308", "-1e308", "5e-324"]
    ),
    st.text(max_size=6),
)
_tables = st.integers(1, 4).flatmap(
    lambda width: st.lists(st.lists(_cells, min_size=width, max_size=width), max_size=10)
)


def _workbook(rows):
    def value(cell):
        try:
            return float(cell)
        except ValueError:
            return cell

    # openpyxl refuses control characters in cells; a real workbook cannot hold them either.
    return xlsx_bytes(
        [[value(cell) if cell.isprintable() else "?" for cell in row] for row in rows]
    )


@st.composite
def _uploads(draw):
    kind = draw(st.sampled_from(["binary", "text", "text", "text", "workbook"]))
    if kind == "binary":
        return draw(st.binary(max_size=300)), "upload." + draw(
            st.sampled_from(["csv", "tsv", "txt", "xlsx"])
        )
    rows = draw(_tables)
    if kind == "workbook":
        return _workbook(rows), "upload.xlsx"
    if rows and draw(st.integers(0, 3)) == 0:  # make some tables ragged
        rows[-1] = rows[-1] + ["1"]
    delimiter = draw(st.sampled_from([",", "\t", ";", " ", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(delimiter.join(row) for row in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    filename = "upload." + draw(st.sampled_from(["csv", "csv", "tsv", "txt", "xlsx"]))
    return text.encode(encoding, errors="replace"), filename


class TestAnyBytes:
    @settings(max_examples=300, deadline=None)
    @given(
        upload=_uploads(),
        scaling=st.sampled_from(sorted(SCALINGS)),
        missing=st.sampled_from(["drop", "mean"]),
    )
    def test_gives_a_valid_dataset_or_input_error(self, upload, scaling, missing):
        content, filename = upload
        try:
            table = parse_upload(content, filename)
            dataset = build_dataset(table, numeric_columns(table), scaling=scaling, missing=missing)
        except InputError as exc:
            assert str(exc)
            return
        assert isinstance(dataset, Dataset)
        values = dataset.values
        assert values.ndim == 2 and values.dtype == np.float64
        assert values.shape[0] >= 2 and values.shape[1] >= 1
        assert np.all(np.isfinite(values))
        assert len(dataset.feature_names) == values.shape[1]
