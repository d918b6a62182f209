"""How long parsing an upload takes, to place the inline/background threshold and the time bound.

Uploads up to ``INLINE_PARSE_KB`` are parsed inside the request (the worker
that answers light callbacks); larger ones in a background job within
``PARSE_TIMEOUT_SECONDS``. A file over a shape bound is refused while it is
read, so refusing it costs a fraction of reading it.
"""

from __future__ import annotations

import io
import sys

import numpy as np

from bench.common import Table, best_of
from hclust.errors import InputError
from hclust.io import UploadLimits, parse_upload
from services import config

TARGET_INLINE_MS = 250  # the inline threshold must keep a request this short


def _csv(n_rows: int, n_columns: int, seed: int = 0) -> bytes:
    values = np.random.default_rng(seed).normal(size=(n_rows, n_columns)) * 100
    header = ",".join(f"x{j}" for j in range(n_columns))
    body = "\n".join(",".join(f"{v:.4f}" for v in row) for row in values)
    return f"{header}\n{body}\n".encode()


def _xlsx(n_rows: int, n_columns: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([f"x{j}" for j in range(n_columns)])
    values = np.random.default_rng(1).normal(size=(n_rows, n_columns))
    for row in values:
        sheet.append([float(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _time(content: bytes, filename: str, limits: UploadLimits, repeat: int):
    def parse():
        try:
            return f"{len(parse_upload(content, filename, limits=limits).frame):,} rows"
        except InputError as error:
            return f"refused: {str(error)[:60]}…"

    seconds, outcome = best_of(parse, repeat)
    return seconds, outcome


def run(quick: bool = False) -> list[Table]:
    limits = UploadLimits(max_seconds=None)
    inline_kb = config.INLINE_PARSE_KB
    # an inline-sized CSV: rows of 10 columns filling INLINE_PARSE_KB
    row_bytes = len(_csv(100, 10)) / 101
    inline_rows = int(inline_kb * 1024 / row_bytes)
    cases = [
        (f"CSV at INLINE_PARSE_KB ({inline_kb} KB)", _csv(inline_rows, 10), "inline.csv", 5),
        ("CSV 20,000 × 10", _csv(20_000, 10), "a.csv", 3),
        ("xlsx 5,000 × 10", _xlsx(5_000, 10), "a.xlsx", 1),
    ]
    if not quick:
        cases += [
            ("CSV 100,000 × 10 (analyst file)", _csv(100_000, 10), "b.csv", 1),
            ("CSV 1,000,000 × 2 (over MAX_ROWS)", b"x,y\n" + b"1.5,2.5\n" * 1_000_000, "m.csv", 1),
            ("xlsx 50,000 × 10", _xlsx(50_000, 10), "b.xlsx", 1),
        ]
    table = Table(
        "Upload parsing time (hclust.io.parse_upload, default shape limits, best of runs)",
        ["file", "size KB", "ms", "outcome"],
    )
    for name, content, filename, repeat in cases:
        print(f"  parsing {name}", file=sys.stderr)
        seconds, outcome = _time(content, filename, limits, repeat)
        table.rows.append([name, f"{len(content) / 1024:,.0f}", f"{seconds * 1000:,.0f}", outcome])
    table.notes.append(
        f"uploads up to INLINE_PARSE_KB = {inline_kb} KB are parsed in the request "
        f"(target ≤ {TARGET_INLINE_MS} ms); larger ones in a background job, bounded by "
        f"PARSE_TIMEOUT_SECONDS = {config.PARSE_TIMEOUT_SECONDS} s"
    )
    return [table]
