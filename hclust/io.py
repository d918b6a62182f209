"""Reading an uploaded file into a table of named columns.

Accepted: comma, tab, semicolon (with decimal commas), pipe and
whitespace-separated text in UTF-8 (with or without BOM), UTF-16 with a BOM,
Latin-1 or Windows-1252, and Excel ``.xlsx`` workbooks (first sheet).
Anything else is refused with an :class:`~hclust.errors.InputError` that says
why, naming the line at fault where there is one.

Rows are located the way the user sees them in the file: ``line N`` is the
1-based line of a text file (counting the header and blank lines), ``row N``
the 1-based row number Excel shows. :meth:`ParsedTable.where` gives that text
for a data row, so every message downstream names rows the same way.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
import time
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError

# Cells read as missing values, compared after stripping and lower-casing.
# Excel error codes are included: a formula that failed has no value.
MISSING_TOKENS = frozenset(
    {
        "",
        "na",
        "n/a",
        "nan",
        "null",
        "none",
        "?",
        "#n/a",
        "#div/0!",
        "#value!",
        "#ref!",
        "#name?",
        "#num!",
        "#null!",
    }
)

# Strict on purpose: float() would also take '1_000' and non-ASCII digits.
_NUMBER = re.compile(
    r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:inf|infinity)", re.IGNORECASE
)
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]*,[0-9]+(?:[eE][+-]?[0-9]+)?")
_DECIMAL_DOT = re.compile(r"[+-]?[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?")

# Text delimiters tried in order of preference when several fit: a
# semicolon file with decimal commas also splits evenly on commas.
_DELIMITERS = (
    ("\t", "tsv", "tab-separated"),
    (";", "semicolon", "semicolon-separated"),
    (",", "csv", "comma-separated"),
    ("|", "pipe", "pipe-separated"),
)
_WHITESPACE = " "
_SNIFF_LINES = 50
# Share of sampled lines that must have the same number of fields for a
# delimiter to count as fitting; below 1 so one ragged line is still
# reported as ragged instead of changing the delimiter.
_SNIFF_AGREEMENT = 0.8
# Rows looked at to decide whether the first one is a header.
_HEADER_SAMPLE_ROWS = 200

# Magic numbers of files people upload by mistake.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Excel (.xls) or other Office file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)
ZIP_MAGIC = b"PK\x03\x04"
# A decompressed workbook larger than this is refused before openpyxl reads
# it: a small upload can unpack to gigabytes.
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
# How many rows are read between two looks at the clock.
_CLOCK_EVERY = 2_000


@dataclass(frozen=True)
class UploadLimits:
    """How large a table an upload may hold, and how long reading it may take.

    Every refusal names the limit and the setting that changes it (the
    service reads them from the environment variables of the same names).

    Attributes
    ----------
    max_rows : int
        Data rows (``MAX_ROWS``).
    max_columns : int
        Columns (``MAX_COLUMNS``).
    max_cells : int
        Data rows × columns (``MAX_CELLS``).
    max_unpacked_bytes : int
        What a workbook may unpack to (``MAX_XLSX_UNPACKED_MB``). The sizes a
        zip declares bound what :mod:`zipfile` will inflate, so a zip bomb is
        refused before any of it is read.
    max_seconds : float or None
        Time to read the file (``PARSE_TIMEOUT_SECONDS``); None for no bound.
    """

    max_rows: int = 200_000
    max_columns: int = 1_000
    max_cells: int = 10_000_000
    max_unpacked_bytes: int = MAX_XLSX_UNCOMPRESSED_BYTES
    max_seconds: float | None = 120.0


class _Reading:
    """The limits of one upload and the clock that bounds reading it."""

    def __init__(self, filename, limits):
        self.filename, self.limits = filename, limits
        self.deadline = (
            None if limits.max_seconds is None else time.monotonic() + limits.max_seconds
        )

    def check_time(self, where):
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise InputError(
                f"Reading '{self.filename}' took longer than the {self.limits.max_seconds:g} s limit "
                f"(PARSE_TIMEOUT_SECONDS); it was stopped at {where}. Upload fewer rows or columns, "
                "or save it as CSV (a workbook is much slower to read)."
            )

    def check_width(self, width, where):
        if width > self.limits.max_columns:
            raise InputError(
                f"'{self.filename}' has {width:,} columns at {where}; the limit is "
                f"{self.limits.max_columns:,} columns (MAX_COLUMNS). Upload fewer columns."
            )

    def check_rows(self, n_records, width, where):
        """Refuse as soon as the records read so far exceed a bound (one may be a header)."""
        limits = self.limits
        if n_records > limits.max_rows + 1:
            raise InputError(
                f"'{self.filename}' has more than {limits.max_rows:,} data rows (reading stopped at "
                f"{where}); the limit is {limits.max_rows:,} rows (MAX_ROWS). Upload a random sample of the rows."
            )
        if (n_records - 1) * width > limits.max_cells:
            raise InputError(
                f"'{self.filename}' has more than {limits.max_cells:,} cells (rows × columns, reading "
                f"stopped at {where}, {width:,} columns wide); the limit is {limits.max_cells:,} cells "
                "(MAX_CELLS). Upload fewer rows or columns."
            )


# Control characters that never occur in a text table (tab, LF, CR, form
# feed and DOS end-of-file excepted).
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")


@dataclass(frozen=True)
class ParsedTable:
    """An uploaded table, with how it was read.

    Attributes
    ----------
    frame : pandas.DataFrame
        One column per file column, named by strings. Numeric columns are
        float64 with NaN for missing cells (infinities kept, so they can be
        reported); the others hold str, or None where missing.
    filename : str
    format : str
        ``'csv'``, ``'tsv'``, ``'semicolon'``, ``'pipe'``, ``'whitespace'``,
        ``'single-column'`` or ``'xlsx'``.
    encoding : str or None
        Text encoding used (``'utf-8'``, ``'utf-8-sig'``, ``'utf-16'``,
        ``'latin-1'``, ``'cp1252'``); None for a workbook.
    delimiter : str or None
        Field separator; ``' '`` stands for any run of whitespace.
    decimal_comma : bool
        Numbers were written with a decimal comma.
    has_header : bool
        The first row held column names.
    source_rows : tuple of int
        For each data row, its 1-based line (text) or row (Excel) in the file.
    notes : tuple of str
        What the reader decided or fixed, for the user.
    """

    frame: pd.DataFrame
    filename: str
    format: str
    encoding: str | None
    delimiter: str | None
    decimal_comma: bool
    has_header: bool
    source_rows: tuple
    notes: tuple = field(default_factory=tuple)

    @property
    def row_word(self) -> str:
        """``'row'`` for a workbook, ``'line'`` for text."""
        return "row" if self.format == "xlsx" else "line"

    def where(self, i: int) -> str:
        """Where data row `i` (0-based) sits in the file, e.g. ``'line 14'``."""
        return f"{self.row_word} {self.source_rows[i]}"


def decode_dash_upload(contents: str, limit_mb: float | None = None) -> bytes:
    """Bytes of a ``dcc.Upload`` value ``'data:<mime>;base64,<payload>'``.

    Parameters
    ----------
    contents : str
    limit_mb : float, optional
        Refuse, before decoding, a payload that would exceed this size.

    Raises
    ------
    InputError
        When `contents` is not a base64 data URL or is too large.
    """
    if not isinstance(contents, str) or not contents.startswith("data:"):
        raise InputError(
            "The upload did not arrive as a data URL ('data:...;base64,...'); please upload the file again."
        )
    header, sep, payload = contents.partition(",")
    if not sep or not header.endswith(";base64"):
        raise InputError(
            "The upload is not base64-encoded ('data:...;base64,...' expected); please upload the file again."
        )
    if limit_mb is not None:
        check_upload_size(len(payload) * 3 // 4, limit_mb)
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(
            f"The upload's base64 payload is malformed ({exc}); please upload the file again."
        ) from None


def check_upload_size(n_bytes: int, limit_mb: float) -> None:
    """Refuse a file larger than `limit_mb` megabytes (1 MB = 2**20 bytes).

    Raises
    ------
    InputError
        Naming the file's size and the limit.
    """
    if n_bytes > limit_mb * 1024 * 1024:
        raise InputError(
            f"The file is {n_bytes / 1024 / 1024:.1f} MB; the upload limit is {limit_mb:g} MB. "
            "Upload fewer rows or columns, or a random sample of the rows."
        )


def parse_upload(
    content: bytes,
    filename: str,
    header: bool | None = None,
    limits: UploadLimits | None = None,
) -> ParsedTable:
    """Read an uploaded file into a :class:`ParsedTable`.

    Parameters
    ----------
    content : bytes
        The file as uploaded.
    filename : str
        Its name, used in messages; a text file named ``.xlsx`` is refused.
        The content decides everything else (a workbook is read whatever
        its name).
    header : bool, optional
        Force the first row to be (True) or not be (False) column names.
        By default it is a header when it holds text above numeric columns.
    limits : UploadLimits, optional
        Rows, columns, cells, unpacked size and reading time; the defaults of
        :class:`UploadLimits` when not given. Checked while reading, so a
        file over a bound is refused without being read to its end.

    Returns
    -------
    ParsedTable
        With at least two data rows.

    Raises
    ------
    InputError
        For an empty, binary, undecodable, ragged or header-only file, a
        single data row, duplicate column names, or a file over one of the
        `limits` (the message names the limit and its setting).
    """
    if not isinstance(content, (bytes, bytearray)):
        raise InputError("The upload is not a file's bytes.")
    content = bytes(content)
    filename = str(filename or "upload")
    reading = _Reading(filename, limits or UploadLimits())
    if not content.strip():
        raise InputError(f"The file '{filename}' is empty.")
    is_xlsx_name = filename.lower().endswith((".xlsx", ".xlsm"))
    if content.startswith(ZIP_MAGIC):
        return _parse_xlsx(content, filename, header, reading)
    _refuse_known_binary(content, filename)
    if is_xlsx_name:
        raise InputError(
            f"'{filename}' is named like an Excel workbook but is not one (an .xlsx file is a zip archive)."
        )
    text, encoding, enc_note = _decode(content, filename)
    records, lines, delimiter, fmt, notes = _split_text(text, filename, reading)
    notes = [enc_note] + notes if enc_note else notes
    return _build_table(records, lines, filename, fmt, encoding, delimiter, header, notes, reading)


def _refuse_known_binary(content, filename):
    # Other binary files are caught later by their control bytes; these
    # common mistakes get a message that names what was uploaded.
    for magic, what in _SIGNATURES:
        if content.startswith(magic):
            raise InputError(
                f"'{filename}' looks like {what}, not a table. Upload a CSV, TSV, text or .xlsx file."
            )


def _decode(content, filename):
    """Text of `content`, the encoding used, and a note when it was not UTF-8."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError(
                f"'{filename}' starts with a UTF-16 byte-order mark but is not valid UTF-16 text."
            ) from None
        note = "Decoded as UTF-16"
    elif content.startswith(b"\xef\xbb\xbf"):
        try:
            text, encoding, note = content.decode("utf-8-sig"), "utf-8-sig", None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"'{filename}' starts with a UTF-8 byte-order mark but byte {exc.start} is not valid UTF-8."
            ) from None
    else:
        try:
            text, encoding, note = content.decode("utf-8"), "utf-8", None
        except UnicodeDecodeError as exc:
            # Latin-1 decodes any byte, so "is it Latin-1?" is decided by the
            # absence of control bytes, which no Latin-1 text table contains.
            bad = _CONTROL.search(content.decode("latin-1"))
            if bad:
                raise InputError(
                    f"'{filename}' is neither UTF-8 nor Latin-1 text: byte {exc.start} is not UTF-8 and byte "
                    f"{bad.start()} is the control code 0x{ord(bad.group()):02x}, so the file is binary or in another "
                    "encoding (such as UTF-16 without a byte-order mark). Save it as CSV in UTF-8."
                ) from None
            text, encoding = content.decode("latin-1"), "latin-1"
            note = "Decoded as Latin-1 because the file is not UTF-8"
            if re.search(b"[\x80-\x9f]", content):
                # Latin-1 has only invisible controls at 0x80-0x9f; files using
                # them are Windows-1252 (its superset for €, curly quotes, ...).
                try:
                    text, encoding = content.decode("cp1252"), "cp1252"
                    note = "Decoded as Windows-1252 (Latin-1 with € and curly quotes) because the file is not UTF-8"
                except UnicodeDecodeError:
                    pass
    bad = _CONTROL.search(text)
    if bad:
        # Counted as csv counts lines, so CR-only files get the right number too.
        line = len(io.StringIO(text[: bad.start()] + "x", newline="").readlines())
        raise InputError(
            f"'{filename}' is not a text table: line {line} contains the control character "
            f"U+{ord(bad.group()):04X}. It is binary or in an encoding other than UTF-8 and Latin-1 "
            "(such as UTF-16 without a byte-order mark); upload a CSV, TSV, text or .xlsx file in UTF-8."
        )
    # DOS editors may end a file with Ctrl-Z; it is not a row.
    return text.rstrip("\x1a"), encoding, note


def _split_text(text, filename, reading):
    """Records (lists of str), their 1-based start lines, delimiter, format, notes.

    The limits are checked as records are read: a file over them is refused
    at the line where it goes over, without reading the rest.
    """
    sample = _first_lines(text, _SNIFF_LINES)
    if not sample:
        raise InputError(f"The file '{filename}' is empty (it has only blank lines).")
    delimiter, fmt, description = _sniff(sample)
    records, lines = [], []
    width = 0

    def keep(cells, line):
        nonlocal width
        records.append(cells)
        lines.append(line)
        if len(cells) > width:
            width = len(cells)
            reading.check_width(width, f"line {line}")
        if len(records) % _CLOCK_EVERY == 0:
            reading.check_time(f"line {line}")
        reading.check_rows(len(records), width, f"line {line}")

    if delimiter == _WHITESPACE:
        for number, line in enumerate(io.StringIO(text, newline=""), start=1):
            cells = [_unquote(cell) for cell in line.split()]
            if cells:
                keep(cells, number)
    else:
        # A one-column file still goes through csv so quoted cells work; its
        # delimiter is a control character, refused above, so never present.
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=delimiter or "\x1e", strict=False
        )
        start = 1
        try:
            for cells in reader:
                if cells and "".join(cells).strip():
                    keep(cells, start)
                start = reader.line_num + 1
        except csv.Error as exc:
            raise InputError(
                f"'{filename}' could not be read as {description} text at line {start}: {exc}."
            ) from None
    if not records:
        raise InputError(
            f"The file '{filename}' is empty (its lines hold only delimiters and spaces)."
        )
    notes = [f"Read as {description} text"]
    return records, lines, delimiter, fmt, notes


def _first_lines(text, k):
    lines = []
    for line in io.StringIO(text, newline=""):
        if line.strip():
            lines.append(line)
            if len(lines) == k:
                break
    return lines


def _sniff(sample):
    """Choose the delimiter whose field counts agree across the sample lines."""
    chunk = "".join(sample)
    fits = []
    for delimiter, fmt, description in _DELIMITERS:
        try:
            counts = [
                len(cells)
                for cells in csv.reader(io.StringIO(chunk, newline=""), delimiter=delimiter)
                if cells
            ]
        except csv.Error:
            continue
        modal, agreement = _mode_share(counts)
        fits.append((modal >= 2, agreement, delimiter, fmt, description))
    modal, agreement = _mode_share([len(line.split()) for line in sample])
    fits.append((modal >= 2, agreement, _WHITESPACE, "whitespace", "whitespace-separated"))
    for splits, agreement, delimiter, fmt, description in fits:
        if splits and agreement >= _SNIFF_AGREEMENT:
            return delimiter, fmt, description
    splitting = [fit for fit in fits if fit[0]]
    if splitting:
        best = max(splitting, key=lambda fit: fit[1])
        return best[2], best[3], best[4]
    return None, "single-column", "single-column"


def _mode_share(counts):
    if not counts:
        return 0, 0.0
    values, freq = np.unique(counts, return_counts=True)
    return int(values[np.argmax(freq)]), float(freq.max() / len(counts))


def _unquote(cell):
    if len(cell) >= 2 and cell[0] == cell[-1] and cell[0] in "\"'":
        return cell[1:-1]
    return cell


def _parse_xlsx(content, filename, header, reading):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(info.file_size for info in archive.infolist())
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InputError(
            f"'{filename}' looks like a zip archive but is damaged; it cannot be read as a workbook."
        ) from None
    if "xl/workbook.xml" not in names:
        raise InputError(f"'{filename}' is a zip archive but not an Excel .xlsx workbook.")
    # zipfile never inflates a member past its declared size, so this bound holds.
    if unpacked > reading.limits.max_unpacked_bytes:
        raise InputError(
            f"'{filename}' unpacks to {unpacked / 1024 / 1024:.0f} MB, over the "
            f"{reading.limits.max_unpacked_bytes / 1024 / 1024:.0f} MB a workbook may unpack to "
            "(MAX_XLSX_UNPACKED_MB). Save it as CSV instead."
        )
    import openpyxl  # deferred: only workbooks need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            title, n_sheets = sheet.title, len(workbook.worksheets)
            records, rows = _sheet_records(sheet, reading)
        finally:
            workbook.close()
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise InputError(
            f"'{filename}' could not be read as an Excel workbook ({type(exc).__name__})."
        ) from None
    if not records:
        raise InputError(f"The first sheet '{title}' of '{filename}' is empty.")
    # A sheet has no ragged rows: short rows are empty cells on the right.
    width = max(len(cells) for cells in records)
    records = [cells + [""] * (width - len(cells)) for cells in records]
    # Leading and trailing columns that are empty everywhere are just margins.
    used = [j for j in range(width) if any(cells[j].strip() for cells in records)]
    records = [cells[used[0] : used[-1] + 1] for cells in records]
    notes = [
        f"Read sheet '{title}'" + (f" (the first of {n_sheets} sheets)" if n_sheets > 1 else "")
    ]
    return _build_table(records, rows, filename, "xlsx", None, None, header, notes, reading)


def _sheet_records(sheet, reading):
    """Non-empty rows of a read-only sheet as text, counted against the limits while streaming.

    The declared dimension (``<dimension ref="A1:J100"/>``) is written by the
    program that saved the file and may be wrong; when it exceeds a limit it
    is dropped, so rows are not padded to it, and the rows actually present
    decide.
    """
    limits = reading.limits
    declared_rows, declared_columns = sheet.max_row, sheet.max_column
    if (declared_columns or 0) > limits.max_columns or (declared_rows or 0) > limits.max_rows + 1:
        sheet.reset_dimensions()
    records, rows, width = [], [], 0
    for number, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        if number % _CLOCK_EVERY == 0:
            reading.check_time(f"row {number}")
        cells = ["" if value is None else _cell_text(value) for value in row]
        while cells and not cells[-1].strip():
            cells.pop()  # empty cells on the right are not columns
        if any(cell.strip() for cell in cells):
            records.append(cells)
            rows.append(number)
            if len(cells) > width:
                width = len(cells)
                reading.check_width(width, f"row {number}")
            reading.check_rows(len(records), width, f"row {number}")
    return records, rows


def _cell_text(value):
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)  # round-trips exactly
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _build_table(records, lines, filename, fmt, encoding, delimiter, header, notes, reading):
    word = "row" if fmt == "xlsx" else "line"
    if header is not False and _header_lacks_row_names(records):
        records = [["row_name"] + records[0]] + records[1:]
        notes.append(
            "The header has one name fewer than the rows: the first column is taken as row names ('row_name')"
        )
    _check_ragged(records, lines, word, fmt)
    width = len(records[0])
    records = _trim_trailing_empty(records)
    if len(records[0]) < width:
        notes.append(f"Ignored {width - len(records[0])} empty column(s) at the end of each {word}")
    width = len(records[0])
    decimal_comma = _uses_decimal_comma(records)
    if decimal_comma:
        notes.append("Numbers use a decimal comma")

    if header is None:
        header = _detect_header(records[:_HEADER_SAMPLE_ROWS], decimal_comma)
        if header:
            notes.append("The first row holds column names")
    if header:
        names = [cell.strip() or f"column_{j + 1}" for j, cell in enumerate(records[0])]
        data, data_lines = records[1:], lines[1:]
    else:
        names = [f"column_{j + 1}" for j in range(width)]
        data, data_lines = records, lines
        notes.append("No header row: the columns are named column_1, column_2 and so on")
    _check_duplicate_names(names)
    if not data:
        raise InputError(f"'{filename}' has a header row but no data rows.")
    if len(data) == 1:
        raise InputError(
            f"'{filename}' has a single data row ({word} {data_lines[0]}); at least 2 rows are needed to cluster."
        )

    reading.check_width(len(names), "the header" if header else f"{word} {data_lines[0]}")
    if len(data) > reading.limits.max_rows or len(data) * len(names) > reading.limits.max_cells:
        reading.check_rows(len(data) + 1, len(names), f"{word} {data_lines[-1]}")
    columns = {}
    for j, name in enumerate(names):
        reading.check_time(f"column '{name}'")
        cells = [cells[j] for cells in data]
        columns[name] = _column(cells, decimal_comma)
    frame = pd.DataFrame(columns)
    numeric = [name for name in names if frame[name].dtype.kind == "f"]
    for name in numeric:
        if _looks_like_row_index(frame[name]):
            notes.append(
                f"Column '{name}' counts rows (0, 1, 2, … or 1, 2, 3, …): probably a row index, not a feature"
            )
    return ParsedTable(
        frame=frame,
        filename=filename,
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        decimal_comma=decimal_comma,
        has_header=bool(header),
        source_rows=tuple(data_lines),
        notes=tuple(notes),
    )


def _header_lacks_row_names(records):
    """R's write.table leaves the row-name column out of the header."""
    return (
        len(records) >= 2
        and all(len(cells) == len(records[0]) + 1 for cells in records[1:])
        and not any(is_number(cell, False) for cell in records[0])
    )


def _check_ragged(records, lines, word, fmt):
    expected = len(records[0])
    for cells, line in zip(records, lines):
        # Extra empty cells come from a trailing delimiter and are harmless.
        if len(cells) != expected and (len(cells) < expected or "".join(cells[expected:]).strip()):
            sep = {"whitespace": "whitespace-separated values"}.get(fmt, "fields")
            raise InputError(
                f"{word.capitalize()} {line} has {len(cells)} {sep} but {word} {lines[0]} has {expected}. "
                "Every row needs the same number of columns (check for a stray delimiter or an unquoted text cell)."
            )


def _trim_trailing_empty(records):
    """Drop trailing columns that are empty in every row, e.g. from a trailing delimiter."""
    widest = max(len(cells) for cells in records)
    width = widest
    while width > 1 and all(
        len(cells) < width or not cells[width - 1].strip() for cells in records
    ):
        width -= 1
    if width == widest and all(len(cells) == width for cells in records):
        return records
    return [cells[:width] + [""] * (width - len(cells[:width])) for cells in records]


def _uses_decimal_comma(records):
    # Sample: counting every cell of a big file would only slow this down.
    commas = dots = 0
    for cells in records[:200]:
        for cell in cells:
            cell = cell.strip()
            if _DECIMAL_COMMA.fullmatch(cell):
                commas += 1
            elif _DECIMAL_DOT.fullmatch(cell):
                dots += 1
    return commas > dots


def _is_missing(cell):
    return cell.strip().lower() in MISSING_TOKENS


def is_number(cell, decimal_comma):
    cell = cell.strip()
    if decimal_comma:
        cell = cell.replace(",", ".")
    return bool(_NUMBER.fullmatch(cell))


def _detect_header(records, decimal_comma):
    """First row is a header when it has text above a column numeric below it."""
    numeric = [[is_number(cell, decimal_comma) for cell in cells] for cells in records]
    first, rest = records[0], range(1, len(records))
    numeric_below = []
    for j in range(len(first)):
        below = [numeric[i][j] for i in rest]
        missing = [_is_missing(records[i][j]) for i in rest]
        numeric_below.append(any(below) and all(b or m for b, m in zip(below, missing)))
    if any(
        numeric_below[j] and not numeric[0][j] and not _is_missing(first[j])
        for j in range(len(first))
    ):
        return True
    if any(numeric_below):
        return False
    # All text (or a lone row): names if every cell is present and distinct.
    cells = [cell.strip() for cell in first]
    return all(cells) and len(set(cells)) == len(cells) and not any(numeric[0])


def _check_duplicate_names(names):
    seen = {}
    for j, name in enumerate(names):
        if name in seen:
            raise InputError(
                f"Column name '{name}' appears twice (columns {seen[name] + 1} and {j + 1}); "
                "give each column a unique name."
            )
        seen[name] = j


def _column(cells, decimal_comma):
    """float64 when every present cell is a number, else object strings (None if missing)."""
    stripped = [cell.strip() for cell in cells]
    missing = np.array([cell.lower() in MISSING_TOKENS for cell in stripped], dtype=bool)
    if missing.all():
        return pd.Series([None] * len(cells), dtype=object)
    present = [cell for cell, gap in zip(stripped, missing) if not gap]
    if decimal_comma:
        present = [cell.replace(",", ".") for cell in present]
    if not all(map(_NUMBER.fullmatch, present)):
        return pd.Series(
            [None if gap else cell for cell, gap in zip(stripped, missing)], dtype=object
        )
    values = np.full(len(cells), np.nan)
    # Every cell matched _NUMBER, so float parsing cannot fail here.
    values[~missing] = np.array(present, dtype=float)
    return pd.Series(values, dtype=np.float64)


def _looks_like_row_index(series):
    values = series.to_numpy()
    if np.isnan(values).any() or len(values) < 3:
        return False
    start = values[0]
    return start in (0.0, 1.0) and np.array_equal(values, start + np.arange(len(values)))
