"""Table downloads: Excel-safe CSV with BOM and xlsx, formula-like cells neutralised."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd

from metrics.export import csv_bytes, xlsx_bytes

FRAME = pd.DataFrame({"社区": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "拱辰社区"],
                      "办结率": pd.array([0.95, None, -0.5, 1.0, 0.5], dtype="Float64"),
                      "件数": pd.array([1, 2, None, 4, 5], dtype="Int64")})


def test_csv_has_bom_and_neutralised_cells():
    import csv
    data = csv_bytes(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["社区", "办结率", "件数"]
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "拱辰社区"]
    assert rows[3][1] == "-0.5"  # numbers are not touched


def test_xlsx_keeps_numbers_and_neutralises_text():
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(FRAME, "排名"))).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert ws.title == "排名"
    assert cells[0] == ["社区", "办结率", "件数"]
    assert [r[0] for r in cells[1:]] == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "拱辰社区"]
    assert cells[1][1] == 0.95 and cells[2][1] is None and cells[3][2] is None and cells[4][2] == 4
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
