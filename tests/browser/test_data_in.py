"""Getting data in, in a real browser: uploads (good, broken, with gaps, ragged),
a bundled dataset and a generator.

Every file is written to pytest's tmp_path and handed to the <input type=file>
inside #upload-data, as a person choosing it in the file dialog would.

Run with ``python -m pytest tests/browser -q --headless``.
"""

import csv
import io
import os
import zipfile

from devtools.local_app import choose_option as _choose
from devtools.local_app import click_centred as _click
from tests.browser.test_foundation import TIMEOUT, input_value, wait_until
from tests.browser.test_instrument import (
    generate,
    leaf_labels,
    page_errors,
    wait_for_text,
)

UPLOAD_INPUT = "#upload-data input[type=file]"

# Two clear groups of six: small and light, tall and heavy.
PEOPLE = [
    ("ann", 150, 48),
    ("ben", 152, 50),
    ("cleo", 149, 47),
    ("dan", 153, 52),
    ("eva", 151, 49),
    ("finn", 148, 46),
    ("gus", 190, 95),
    ("hana", 188, 92),
    ("ivo", 192, 98),
    ("jo", 189, 94),
    ("kai", 191, 96),
    ("lea", 187, 91),
]
SMALL, TALL = {p[0] for p in PEOPLE[:6]}, {p[0] for p in PEOPLE[6:]}
# A PNG's magic number and some of its first chunk, under a .csv name.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
    + bytes(range(256))
)


def upload(dash_duo, path):
    """Choose a file in #upload-data's file input, as the file dialog would."""
    dash_duo.find_element(UPLOAD_INPUT).send_keys(str(path))


def wait_for_status(dash_duo, *parts, element_id="data-status", timeout=TIMEOUT):
    return wait_for_text(dash_duo, element_id, *parts, timeout=timeout)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def downloaded_csv(dash_duo, timeout=TIMEOUT):
    """The one finished download (a zip) in the browser's folder: its name and clusters.csv's rows."""
    folder = dash_duo.download_path

    def finished():
        names = os.listdir(folder)
        return (
            [n for n in names if n.endswith(".zip")]
            if names and not any(n.endswith(".crdownload") for n in names)
            else []
        )

    wait_until(dash_duo, lambda: finished(), "the download to finish", timeout)
    (name,) = finished()
    with zipfile.ZipFile(os.path.join(folder, name)) as archive:
        text = archive.read("clusters.csv").decode("utf-8-sig")
        assert "settings.json" in archive.namelist()
    return name, list(csv.DictReader(io.StringIO(text, newline="")))


class TestDataIn:
    def test_dat001_labelled_upload_names_leaves_downloads_and_survives_a_broken_file(
        self, page, tmp_path
    ):
        people = write_csv(tmp_path / "people.csv", ["name", "height", "weight"], PEOPLE)
        upload(page, people)
        status = wait_for_status(
            page, "people.csv", "12 rows × 2 columns used", "Label column: name"
        )
        assert status.startswith("people.csv"), status
        names = {p[0] for p in PEOPLE}
        wait_until(
            page,
            lambda: set(leaf_labels(page) or []) == names,
            "the leaves to be named by the label column",
        )
        wait_until(
            page,
            lambda: input_value(page, "#n-clusters") == "2",
            "the default cut between the two groups",
        )
        labels_before, height_before = leaf_labels(page), input_value(page, "#cut-height")
        assert len(labels_before) == 12

        _click(page.driver, "#download-labels")
        name, rows = downloaded_csv(page)
        assert name.endswith(".zip") and "ward" in name
        # the file's own columns, under its own names, then the cluster and the file's line
        assert list(rows[0]) == [
            "name",
            "height",
            "weight",
            "cluster",
            "cluster_status",
            "file_line",
        ]
        assert {r["name"] for r in rows} == names
        assert [r["file_line"] for r in rows] == [str(i) for i in range(2, 14)]
        cluster_of = {r["name"]: r["cluster"] for r in rows}
        assert len({cluster_of[n] for n in SMALL}) == 1 and len({cluster_of[n] for n in TALL}) == 1
        assert cluster_of["ann"] != cluster_of["gus"], "the two groups are two clusters"

        broken = tmp_path / "broken.csv"
        broken.write_bytes(PNG_BYTES)
        upload(page, broken)
        status = wait_for_status(page, "broken.csv", "PNG")
        assert status.startswith("⚠") and "unchanged" in status, status
        # the earlier clustering is still shown
        assert leaf_labels(page) == labels_before
        assert input_value(page, "#cut-height") == height_before
        assert input_value(page, "#n-clusters") == "2"
        assert page_errors(page) == []

    def test_dat002_missing_values_are_dropped_and_a_ragged_line_is_named(self, page, tmp_path):
        rows = [[i, float(i % 5), float((i * 7) % 11)] for i in range(1, 21)]
        rows[2][2] = ""  # file line 4
        rows[7][1] = "NA"  # file line 9
        gaps = write_csv(tmp_path / "gaps.csv", ["id", "a", "b"], rows)
        upload(page, gaps)
        wait_for_status(page, "gaps.csv", "18 rows")
        _choose(page.driver, "missing-values", "fill with column mean")
        wait_for_status(page, "20 rows", "Filled 2 missing value(s)")
        _choose(page.driver, "missing-values", "drop those rows")
        status = wait_for_status(page, "18 rows", "Dropped 2 rows with missing values")
        assert "(lines 4, 9)" in status, status

        ragged = tmp_path / "ragged.csv"
        ragged.write_text("x,y\n1,2\n3,4\n5,6,7\n8,9\n10,11\n")
        upload(page, ragged)
        status = wait_for_status(page, "ragged.csv", "Line 4")
        assert status.startswith("⚠") and "3 fields" in status and "unchanged" in status, status
        assert page_errors(page) == []

    def test_dat003_bundled_penguins_drop_missing_rows_and_use_z_scores(self, page):
        _choose(page.driver, "dataset", "Palmer penguins")
        status = wait_for_status(page, "Palmer penguins", "342 rows", "Label column: species")
        assert "Dropped 2 rows with missing values" in status, status
        wait_for_status(page, "341 merges", element_id="clustering-status")
        # The bundled entry declares z-score as its default (grams next to millimetres).
        assert "z-score" in status, (
            "penguins should load with their declared default scaling (BundledDataset.scaling = 'zscore'), "
            f"but the status says: {status!r}"
        )
        assert page_errors(page) == []

    def test_dat004_generate_two_moons(self, page):
        generate(page, "two moons", 240)
        status = wait_for_status(page, "Two moons", "240 rows × 2 columns used")
        assert status.count("240") == 1  # the row count, said once (#16 §5)
        wait_for_status(page, "239 merges", element_id="clustering-status")
        assert page_errors(page) == []
