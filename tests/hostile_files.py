"""Hostile exports for the importer battery: each writer puts one damaged or odd file into a folder.

Nothing here is committed as a binary: every file (gzip, zip, xlsx, 50 MB line) is generated at test time.
Each writer takes the folder and returns the path of the file it wrote. Data rows use case ids with a prefix
of their own, so that what a hostile file loads is told apart from the baseline store's rows.
"""
from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from pathlib import Path

HEADER = "事件编号,区县,社区,上报时间,办结时间,办理状态"
VOLUNTEER_HEADER = "活动编号,社区,活动日期,参与人数,服务时长(小时)"
HOSTILE_TEXTS = ("'; DROP TABLE cases; --", "<script>alert(1)</script>", "=1+1")
LATIN1_COMMUNITIES = ("Café Müller", "Señora Núñez", "Größe Straße")
MB = 1 << 20


def case_row(case_id: str, community: str = "拱辰社区", reported: str = "2026-03-05 09:00",
             closed: str = "2026-03-06 10:00", status: str = "已办结") -> str:
    """One data row of the good cases layout."""
    return f"{case_id},荔城区,{community},{reported},{closed},{status}"


def good_text(prefix: str = "A", rows: int = 3) -> str:
    """A small good cases export: the header and rows <prefix>1..<prefix>rows."""
    return "\n".join([HEADER] + [case_row(f"{prefix}{i}") for i in range(1, rows + 1)]) + "\n"


def _write(folder: Path, name: str, data: bytes) -> Path:
    """Write data to folder/name and return the path."""
    path = folder / name
    path.write_bytes(data)
    return path


def good_file(folder: Path) -> Path:
    """The reference file the baseline store is built from (A1..A3)."""
    return _write(folder, "good.csv", good_text("A").encode("utf-8"))


# ---------------------------------------------------------------- not a table at all

def empty(folder: Path) -> Path:
    """A file of zero bytes."""
    return _write(folder, "empty.csv", b"")


def header_only(folder: Path) -> Path:
    """The header and nothing else."""
    return _write(folder, "header_only.csv", (HEADER + "\n").encode("utf-8"))


def total_row_only(folder: Path) -> Path:
    """The header and a 合计 (total) row only."""
    return _write(folder, "total_only.csv", (HEADER + "\n合计,,,,,\n").encode("utf-8"))


def binary_csv(folder: Path) -> Path:
    """Every byte value, repeated, named .csv."""
    return _write(folder, "binary.csv", bytes(range(256)) * 64)


def gzip_csv(folder: Path) -> Path:
    """A gzip-compressed good export named .csv."""
    return _write(folder, "gzip.csv", gzip.compress(good_text("G").encode("utf-8")))


def _plain_zip() -> bytes:
    """A zip holding a text file: a valid archive that is not a workbook."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not a workbook")
        zf.writestr("data.csv", good_text("Z"))
    return buf.getvalue()


def zip_as_xlsx(folder: Path) -> Path:
    """A zip that is not a workbook, named .xlsx."""
    return _write(folder, "archive.xlsx", _plain_zip())


def zip_as_csv(folder: Path) -> Path:
    """A zip that is not a workbook, named .csv."""
    return _write(folder, "archive.csv", _plain_zip())


# ---------------------------------------------------------------- encodings and bytes

def utf16le_no_bom(folder: Path) -> Path:
    """A good export (U1..U3) as UTF-16 LE without a BOM."""
    return _write(folder, "utf16le.csv", good_text("U").encode("utf-16-le"))


def latin1(folder: Path) -> Path:
    """An English-headed export in cp1252 with accented community names (L1..L3)."""
    lines = ["case_id,district,community,reported_at,closed_at,status"]
    lines += [f"L{i},Licheng,{name},2026-03-05 09:00,2026-03-06 10:00,closed"
              for i, name in enumerate(LATIN1_COMMUNITIES, start=1)]
    return _write(folder, "latin1.csv", ("\n".join(lines) + "\n").encode("cp1252"))


# Characters of names outside GBK, which GB18030 writes as four bytes (high, digit, high, digit).
RARE_NAMES = ("王㛃", "刘䶮", "𠮷")


def gb18030_rare(folder: Path) -> Path:
    """An English-headed GB18030 export (G1..G3) whose communities are names with characters outside GBK."""
    lines = ["case_id,district,community,reported_at,closed_at,status"]
    lines += [f"G{i},Licheng,{name},2026-03-05 09:00,2026-03-06 10:00,closed"
              for i, name in enumerate(RARE_NAMES, start=1)]
    return _write(folder, "gb18030_rare.csv", ("\n".join(lines) + "\n").encode("gb18030"))


def gbk_bad_byte(folder: Path) -> Path:
    """A GBK export of K1..K5 with one byte (0xFF, never valid in GBK) inside K3's community (line 4)."""
    rows = [case_row(f"K{i}", community="拱辰社区") for i in range(1, 6)]
    data = (HEADER + "\n").encode("gbk")
    for i, row in enumerate(rows, start=1):
        encoded = (row + "\n").encode("gbk")
        if i == 3:
            encoded = encoded.replace("拱辰".encode("gbk"), "拱".encode("gbk") + b"\xff" + "辰".encode("gbk"))
        data += encoded
    return _write(folder, "gbk_bad.csv", data)


def nul_bytes(folder: Path) -> Path:
    """A good export (N1..N3) with NUL bytes inside N2's community and between two cells."""
    text = good_text("N").replace("N2,荔城区,拱辰社区", "N2,荔城区,拱\x00辰社区\x00")
    return _write(folder, "nul.csv", text.encode("utf-8"))


def cr_only(folder: Path) -> Path:
    """A good export (R1..R4) with old-Mac CR line ends only."""
    return _write(folder, "cr_only.csv", good_text("R", 4).replace("\n", "\r").encode("utf-8"))


# ---------------------------------------------------------------- quoting

def unterminated_last(folder: Path) -> Path:
    """Q1..Q4 where the last line (line 5) opens a quote it never closes."""
    rows = [case_row(f"Q{i}") for i in range(1, 4)] + [case_row("Q4", community='"拱辰社区')]
    return _write(folder, "unterminated_last.csv", ("\n".join([HEADER] + rows) + "\n").encode("utf-8"))


def unterminated_middle(folder: Path) -> Path:
    """M1..M5 where line 3 (M2) opens a quote that is never closed."""
    rows = [case_row(f"M{i}", community='"拱辰社区' if i == 2 else "拱辰社区") for i in range(1, 6)]
    return _write(folder, "unterminated_middle.csv", ("\n".join([HEADER] + rows) + "\n").encode("utf-8"))


def unterminated_middle_even(folder: Path) -> Path:
    """P1..P6 where lines 3 and 6 each open a quote: the quote count is even, yet both are broken."""
    rows = [case_row(f"P{i}", community='"拱辰社区' if i in (2, 5) else "拱辰社区") for i in range(1, 7)]
    return _write(folder, "unterminated_even.csv", ("\n".join([HEADER] + rows) + "\n").encode("utf-8"))


def quote_swallows_rows(folder: Path) -> Path:
    """J1..J6 where line 3 (J2) opens a quote that a stray quote on line 6 (J5) closes before a comma: the
    quoting is well formed, but one cell then holds four lines that are complete records."""
    rows = [case_row(f"J{i}") for i in range(1, 7)]
    rows[1] = case_row("J2", community='"拱辰社区')
    rows[4] = case_row("J5", community='拱辰社区"')
    return _write(folder, "quote_swallows.csv", ("\n".join([HEADER] + rows) + "\n").encode("utf-8"))


def quote_then_text(folder: Path) -> Path:
    """T1..T3 where T2's community cell is "拱辰"社区 (a closing quote followed by text)."""
    rows = [case_row(f"T{i}", community='"拱辰"社区' if i == 2 else "拱辰社区") for i in range(1, 4)]
    return _write(folder, "quote_text.csv", ("\n".join([HEADER] + rows) + "\n").encode("utf-8"))


# ---------------------------------------------------------------- size and width

def _wide(folder: Path, name: str, columns: int, prefix: str) -> Path:
    """The good layout plus filler columns up to `columns`, three rows."""
    extra = columns - len(HEADER.split(","))
    header = HEADER + "".join(f",备用{i}" for i in range(extra))
    filler = ",x" * extra
    rows = [case_row(f"{prefix}{i}") + filler for i in range(1, 4)]
    return _write(folder, name, ("\n".join([header] + rows) + "\n").encode("utf-8"))


def cols_10000(folder: Path) -> Path:
    """10,000 columns (W1..W3)."""
    return _wide(folder, "cols10000.csv", 10_000, "W")


def cols_500(folder: Path) -> Path:
    """500 columns with ~40-byte cells, about 22 KB a line (V1..V3)."""
    extra = 500 - len(HEADER.split(","))
    header = HEADER + "".join(f",备用列{i}" for i in range(extra))
    filler = "".join(f",{'填' * 12}{i:03d}" for i in range(extra))
    rows = [case_row(f"V{i}") + filler for i in range(1, 4)]
    return _write(folder, "cols500.csv", ("\n".join([header] + rows) + "\n").encode("utf-8"))


def single_line_50mb(folder: Path) -> Path:
    """One 50 MB line without a line break: header-like cells followed by filler."""
    head = (HEADER + ",").encode("utf-8")
    return _write(folder, "one_line.csv", head + b"x" * (50 * MB - len(head)))


def data_line_50mb(folder: Path) -> Path:
    """A header, a good row (B1), then a row (B2) whose unmapped 备注 cell is 50 MB, then B3."""
    header = HEADER + ",备注"
    rows = [case_row("B1") + ",ok", case_row("B2") + "," + "y" * (50 * MB), case_row("B3") + ",ok"]
    return _write(folder, "line50mb.csv", ("\n".join([header] + rows) + "\n").encode("utf-8"))


def cells_1mb(folder: Path) -> Path:
    """C1..C3 whose community cell is 1 MB of text (C2's is quoted and holds commas)."""
    big = "社" * (MB // 3)
    rows = [case_row("C1", community=big), case_row("C2", community=f'"{big},{big[:10]}"'),
            case_row("C3", community=big)]
    return _write(folder, "cells1mb.csv", ("\n".join([HEADER] + rows) + "\n").encode("utf-8"))


# ---------------------------------------------------------------- values

def volunteer_numbers(folder: Path) -> Path:
    """Volunteer activities: H1 good, H2..H6 with NaN, inf, -inf, 1e30, -1 people; H7 with inf hours."""
    values = [("H1", "12", "3.5"), ("H2", "NaN", "2"), ("H3", "inf", "2"), ("H4", "-inf", "2"),
              ("H5", "1e30", "2"), ("H6", "-1", "2"), ("H7", "5", "Infinity"), ("H8", "7", "1.5")]
    rows = [f"{aid},拱辰社区,2026-03-05,{people},{hours}" for aid, people, hours in values]
    return _write(folder, "volunteer_numbers.csv", ("\n".join([VOLUNTEER_HEADER] + rows) + "\n").encode("utf-8"))


def implausible_years(folder: Path) -> Path:
    """Y1 good; Y2..Y4 reported in the years 0001, 9999 and 2099."""
    rows = [case_row("Y1"), case_row("Y2", reported="0001-01-01 09:00", closed=""),
            case_row("Y3", reported="9999-12-31 09:00", closed=""),
            case_row("Y4", reported="2099-03-05 09:00", closed=""), case_row("Y5")]
    return _write(folder, "years.csv", ("\n".join([HEADER] + rows) + "\n").encode("utf-8"))


def hostile_text(folder: Path) -> Path:
    """S1..S3 whose community cells are SQL, HTML and a formula (S4 good)."""
    rows = [case_row(f"S{i}", community=text) for i, text in enumerate(HOSTILE_TEXTS, start=1)]
    rows.append(case_row("S4"))
    return _write(folder, "hostile_text.csv", ("\n".join([HEADER] + rows) + "\n").encode("utf-8"))


# ---------------------------------------------------------------- mapping profiles

BAD_PROFILES: dict[str, str | None] = {
    "columns_list": json.dumps({"columns": [1, 2]}),
    "unknown_table": json.dumps({"table": "nope"}),
    "json_list": json.dumps([{"table": "cases"}]),
    "invalid_json": '{"table": "cases",',
    "columns_numbers": json.dumps({"columns": {"事件编号": 5}}),
    "table_object": json.dumps({"table": {"name": "cases"}}),
    "directory": None,
    "missing": None,
}


def bad_profile(folder: Path, kind: str) -> Path:
    """The mapping profile of BAD_PROFILES[kind]: a JSON file, a directory, or a path that does not exist."""
    path = folder / f"profile_{kind}.json"
    if kind == "directory":
        path.mkdir()
    elif kind != "missing":
        path.write_text(BAD_PROFILES[kind] or "", encoding="utf-8")
    return path


# ---------------------------------------------------------------- xlsx

def _workbook_bytes(rows: list[list[object]], cells: dict[str, object] | None = None) -> bytes:
    """An .xlsx holding rows from A1 down, plus single cells by coordinate."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for ref, value in (cells or {}).items():
        ws[ref] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _case_rows(prefix: str, count: int) -> list[list[object]]:
    """The header and rows of the good layout, as lists of cells."""
    return [HEADER.split(",")] + [case_row(f"{prefix}{i}").split(",") for i in range(1, count + 1)]


def _rewrite_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with sheet1's declared <dimension ref=...> replaced by ref."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body, n = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), body)
                assert n == 1, "sheet1.xml has no <dimension> to rewrite"
            dst.writestr(item, body)
    return out.getvalue()


def xlsx_huge_dimension(folder: Path) -> Path:
    """X1..X3 in a sheet that declares A1:XFD1048576."""
    data = _rewrite_dimension(_workbook_bytes(_case_rows("X", 3)), "A1:XFD1048576")
    return _write(folder, "huge_dimension.xlsx", data)


def xlsx_cell_xfd1(folder: Path) -> Path:
    """F1..F3 with one more header cell at XFD1 (column 16384)."""
    return _write(folder, "xfd1.xlsx", _workbook_bytes(_case_rows("F", 3), {"XFD1": "最后一列"}))


def xlsx_title_no_header(folder: Path) -> Path:
    """A title in A1, row 2 empty, data rows from row 3 and no header row."""
    rows: list[list[object]] = [["2026年3月诉求事件台账"], []]
    rows += [case_row(f"D{i}").split(",") for i in range(1, 4)]
    return _write(folder, "title_no_header.xlsx", _workbook_bytes(rows))


# ---------------------------------------------------------------- stores

def sqlite_store(folder: Path) -> Path:
    """An SQLite database file where the store should be."""
    import sqlite3

    path = folder / "store.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE cases (case_id TEXT)")
    con.execute("INSERT INTO cases VALUES ('x')")
    con.commit()
    con.close()
    return path
