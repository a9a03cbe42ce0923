"""Property-based tests of the importer: whatever bytes arrive, an import either succeeds or fails with the
project's own error (GovdashError / ImportFailure), and a failed import changes nothing.

Generators: (a) random bytes under CSV / xlsx names, and real workbooks with bytes overwritten; (b) CSV files
built from the schema's real headers (Chinese names and synonyms) with random cells (dates in several formats,
numbers with full-width digits, thousands separators and percentages, vocabulary words, empty markers, quotes,
commas, line breaks) in UTF-8, UTF-8 with BOM or GB18030, with LF, CRLF or CR line ends; (c) xlsx workbooks of
the same shapes with typed cells (openpyxl). A last property checks that names (rare CJK characters, accented
Latin) load exactly as written in every encoding.

Each property runs against one real store (DuckDB) that starts with a good batch. After every example the
content of every table is hashed: a failure must leave every hash as it was, and leave no new file in the
archive. Runs are derandomised (the same examples on every run) and bounded (max_examples) so the whole file
stays well under 90 s on two cores.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.errors import GovdashError
from metrics.importer import ImportOptions, import_file, safe_import
from metrics.schema import CASE_STATUS, EMPTY_MARKERS, RATINGS, TABLES, WISH_STATUS
from metrics.store import archive_dir, connect

TODAY = dt.date(2026, 11, 1)
FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
GOOD = ("事件编号,区县,街道,社区,事件类型,上报时间,办结时间,办理状态,群众评价\n"
        "G1,荔城区,拱辰街道,拱辰社区,环境卫生,2026-03-05 09:00,2026-03-06 10:00,已办结,满意\n"
        "G2,荔城区,拱辰街道,南郊社区,市容秩序,2026-03-07 11:30,,办理中,\n")


# ---------------------------------------------------------------- the store and its fingerprint

class Store:
    """One open store, its path and a fingerprint of its content."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "gov.duckdb"
        self.con = connect(self.path)
        result = import_file(self.con, GOOD.encode("utf-8"), "good.csv", store_path=self.path, today=TODAY)
        assert result.committed and result.rows_loaded == 2

    def fingerprint(self) -> dict[str, tuple[int, str]]:
        """(row count, md5 of the sorted rows) of every table of the store."""
        names = [r[0] for r in self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT temporary ORDER BY 1").fetchall()]
        out = {}
        for name in names:
            rows = self.con.execute(f'SELECT CAST(t AS VARCHAR) FROM "{name}" t').fetchall()
            digest = hashlib.md5("\x1e".join(sorted(r[0] for r in rows)).encode("utf-8")).hexdigest()
            out[name] = (len(rows), digest)
        return out

    def archived(self) -> set[str]:
        """Names of the files in the store's archive folder."""
        folder = archive_dir(self.path)
        return {p.name for p in folder.iterdir()} if folder.is_dir() else set()

    def check(self, data: bytes, name: str, options: ImportOptions | None = None) -> None:
        """Import data as name: only GovdashError may escape, and a failure changes nothing."""
        before, files = self.fingerprint(), self.archived()
        try:
            result = import_file(self.con, data, name, options or ImportOptions(), store_path=self.path,
                                 today=TODAY)
        except GovdashError as exc:
            assert exc.line(), "an error must say something"
            assert self.fingerprint() == before, f"a failed import changed the store: {exc.line()}"
            assert self.archived() == files, "a failed import left a file in the archive"
            return
        if not result.committed:  # strict mode with bad rows, or bytes already imported
            assert self.fingerprint() == before
            assert self.archived() == files


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    """A store with one good batch, shared by every example of the module."""
    s = Store(tmp_path_factory.mktemp("fuzz"))
    yield s
    s.con.close()


# ---------------------------------------------------------------- cell strategies

# Free text: any character but surrogates (GB18030 cannot write them); control characters come from SHAPES
# (a file dense with them is rightly refused as binary, which would hide everything else).
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
SHAPES = st.sampled_from(["", " ", "—", "-", "/", "无", "N/A", "null", "nan", "inf", "-inf", "1e30", "合计",
                          '"', '""', ",", "a,b", "x\ny", "x\r\ny", "x\ry", "'", "=1+1", "<b>x</b>", "\t"])
# Most dates lie where exports put them (recent, not after the import day); some anywhere.
RECENT = st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2026, 10, 31, 23, 59))
ANYTIME = st.datetimes(dt.datetime(1899, 12, 1), dt.datetime(2060, 12, 31))
DATE_FORMS = (lambda w: f"{w:%Y-%m-%d}", lambda w: f"{w.year}/{w.month}/{w.day}", lambda w: f"{w:%d/%m/%Y}",
              lambda w: f"{w:%m/%d/%Y}", lambda w: f"{w.year}年{w.month}月{w.day}日", lambda w: f"{w:%Y%m%d}",
              lambda w: f"{w:%Y-%m-%d %H:%M}", lambda w: f"{w:%Y-%m-%dT%H:%M:%S}", lambda w: f"{w:%Y/%m/%d %H:%M:%S}",
              lambda w: f"{w:%d.%m.%Y}", lambda w: f"{w:%d-%b-%Y}", lambda w: f"{w:%y-%m-%d}",
              lambda w: str((w.date() - dt.date(1899, 12, 30)).days),  # an Excel serial day
              lambda w: f"{w:%Y-%m-%d %H:%M:%S}.123")


def _fullwidth(text: str) -> str:
    """ASCII digits and punctuation as their full-width forms."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def date_text(draw, form: int) -> str:
    """A date or time in the column's form (now and then another form), full-width now and then."""
    when = draw(st.one_of(RECENT, RECENT, RECENT, ANYTIME))
    if draw(st.integers(0, 9)) == 7:
        form = draw(st.integers(0, len(DATE_FORMS) - 1))
    text = DATE_FORMS[form](when)
    return _fullwidth(text) if draw(st.integers(0, 9)) == 7 else text


@st.composite
def number_text(draw) -> str:
    """A count or amount as exports write it: mostly small whole numbers, then anything."""
    value = draw(st.one_of(st.integers(0, 500), st.integers(0, 500), st.integers(-10 ** 6, 10 ** 13),
                           st.floats(allow_nan=True, allow_infinity=True)))
    forms = [str(value), f"{value:,}" if isinstance(value, int) else repr(value)]
    if isinstance(value, float) and value == value and abs(value) < 1e9:
        forms += [f"{value:.2%}", f"{value:,.2f}"]
    text = draw(st.sampled_from(forms))
    return _fullwidth(text) if draw(st.integers(0, 9)) == 7 else text


STATUS_WORDS = sorted({*CASE_STATUS, *WISH_STATUS})
RATING_WORDS = sorted(w for w in RATINGS if w)
PLACES = ["荔城区", "拱辰街道", "拱辰社区", "南郊社区", "环境卫生", "X1", "X2"]


def cell(kind: str, form: int, words: list[str]) -> st.SearchStrategy[str]:
    """Cell text for a column of this kind: mostly a value of the kind, sometimes an odd shape or free text."""
    typed = {"timestamp": date_text(form), "date": date_text(form), "int": number_text(), "number": number_text(),
             "status": st.sampled_from(words or STATUS_WORDS), "rating": st.sampled_from(RATING_WORDS),
             "text": st.one_of(st.sampled_from(PLACES), st.integers(1, 40).map(lambda i: f"ID{i}"))}[kind]
    return st.one_of(typed, typed, typed, typed, typed, typed, SHAPES, st.sampled_from(EMPTY_MARKERS), TEXT)


@st.composite
def table_shape(draw, printable: bool = False) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """(header, rows, title rows) of a table built from one canonical table's real headers: usually its
    required columns and some others, now and then an unknown or blank header. printable: without the control
    characters a workbook cannot hold."""
    table = TABLES[draw(st.sampled_from(sorted(TABLES)))]
    others = [c for c in table.columns if not c.required]
    # Hypothesis leans towards small draws, so a rare event is a draw of 7, never of 0.
    chosen = [c for c in table.columns if c.required and draw(st.integers(0, 9)) != 7]
    chosen += draw(st.lists(st.sampled_from(others), max_size=len(others) + 1))
    while len(chosen) < 2:
        chosen.append(draw(st.sampled_from(table.columns)))
    chosen = draw(st.permutations(chosen))
    pairs = [(draw(st.sampled_from((c.zh, *c.synonyms))), c.kind) for c in chosen]
    extra = TEXT
    if draw(st.integers(0, 3)) == 3:  # a header the schema does not know (or a blank one), anywhere
        pairs.insert(draw(st.integers(0, len(pairs))), (draw(st.one_of(extra, st.just(""), st.just("备注"))), "text"))
    header, kinds = [h for h, _ in pairs], [k for _, k in pairs]
    forms = [draw(st.integers(0, len(DATE_FORMS) - 1)) for _ in kinds]
    words = sorted(table.status_vocab)
    rows = draw(st.lists(st.tuples(*[cell(k, f, words) for k, f in zip(kinds, forms)]).map(list), min_size=3,
                         max_size=15))
    for row in rows:  # a ragged row now and then
        if draw(st.integers(0, 19)) == 17:
            del row[draw(st.integers(0, len(row) - 1)):]
        elif draw(st.integers(0, 19)) == 18:
            row.append(draw(extra))
    titles = draw(st.lists(st.lists(extra, min_size=1, max_size=2), max_size=2)) if draw(st.booleans()) else []
    if printable:
        clean = lambda v: "".join(ch for ch in v if ch.isprintable() or ch in " \n")  # noqa: E731
        header, rows, titles = ([clean(h) for h in header], [[clean(v) for v in r] for r in rows],
                                [[clean(v) for v in r] for r in titles])
    return header, rows, titles


OPTIONS = st.builds(ImportOptions, date_order=st.sampled_from([None, "dmy", "mdy", "ymd"]),
                    strict=st.booleans())


# ---------------------------------------------------------------- properties

@settings(FUZZ, max_examples=150)
@given(data=st.binary(max_size=3000), name=st.sampled_from(["a.csv", "b.xlsx", "c.txt", "d.CSV", "e"]),
       prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"PK\x03\x04", "事件编号,上报时间\n".encode(),
                              "事件编号,上报时间\n".encode("gb18030"), b"case_id,reported_at,community\n"]))
def test_random_bytes(store: Store, data: bytes, name: str, prefix: bytes) -> None:
    store.check(prefix + data, name)


@settings(FUZZ, max_examples=120)
@given(shape=table_shape(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
       terminator=st.sampled_from(["\n", "\r\n", "\r"]), options=OPTIONS)
def test_random_csv_from_real_headers(store: Store, shape, encoding: str, terminator: str,
                                      options: ImportOptions) -> None:
    header, rows, titles = shape
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=terminator)
    writer.writerows([*titles, header, *rows])
    store.check(out.getvalue().encode(encoding), "export.csv", options)


@st.composite
def xlsx_value(draw):
    """A cell as Excel holds it: text, a number, a date or time, a boolean or nothing."""
    return draw(st.one_of(st.none(), TEXT, st.integers(-10 ** 6, 10 ** 12), st.floats(-1e12, 1e12),
                          st.booleans(), st.dates(dt.date(1900, 3, 1), dt.date(2060, 1, 1)),
                          st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2060, 1, 1))))


@settings(FUZZ, max_examples=40)
@given(shape=table_shape(printable=True), typed=st.lists(st.lists(xlsx_value(), max_size=8), max_size=4),
       blank_first=st.booleans(), options=OPTIONS)
def test_random_xlsx_from_real_headers(store: Store, shape, typed, blank_first: bool,
                                       options: ImportOptions) -> None:
    header, rows, titles = shape
    wb = openpyxl.Workbook()
    ws = wb.active
    if blank_first:
        ws.title = "说明"
        ws = wb.create_sheet("数据")
    for row in [*titles, header, *rows, *typed]:
        # openpyxl would store text starting with = as a formula; exports hold values.
        ws.append([("'" + v) if isinstance(v, str) and v.startswith("=") else v for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    store.check(buffer.getvalue(), "export.xlsx", options)


@settings(FUZZ, max_examples=60)
@given(data=st.binary(max_size=400), cut=st.integers(0, 4000))
def test_damaged_xlsx(store: Store, data: bytes, cut: int) -> None:
    """A real workbook cut short or with bytes overwritten: safe_import names the failure in one line."""
    wb = openpyxl.Workbook()
    wb.active.append(["事件编号", "上报时间"])
    wb.active.append(["Z1", dt.datetime(2026, 3, 5)])
    buffer = io.BytesIO()
    wb.save(buffer)
    raw = bytearray(buffer.getvalue())
    at = cut % len(raw)
    raw[at:at + len(data)] = data
    before, files = store.fingerprint(), store.archived()
    try:
        safe_import(store.con, bytes(raw), "damaged.xlsx", store_path=store.path, today=TODAY)
    except GovdashError as exc:
        assert "\n" not in exc.line()
        assert store.fingerprint() == before and store.archived() == files


def test_store_still_answers_after_fuzzing(store: Store) -> None:
    """The shared connection is usable and holds the good batch's rows (a later import may replace them)."""
    assert store.con.execute("SELECT count(*) FROM cases WHERE case_id IN ('G1', 'G2')").fetchall()[0][0] == 2 \
        or store.con.execute("SELECT count(*) FROM import_batches").fetchall()[0][0] > 1
    with pytest.raises(duckdb.CatalogException):
        store.con.execute("SELECT * FROM no_such_table")


NAME = st.text(st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),   # common CJK
                         st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),   # CJK extension A
                         st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),  # CJK extension B
                         st.characters(min_codepoint=0xC0, max_codepoint=0x17F),   # accented Latin
                         st.sampled_from("ABCxyz0123")), min_size=1, max_size=6)


@settings(FUZZ, max_examples=40)
@given(names=st.lists(NAME, min_size=1, max_size=8), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
       english=st.booleans())
def test_text_loads_as_written(store: Store, names: list[str], encoding: str, english: bool) -> None:
    """A good file of names in UTF-8 or GB18030 imports, and every name is loaded exactly as written (a GB18030
    file of rare name characters was once read as Windows-1252: refused, or loaded as other characters)."""
    header = "case_id,community,reported_at" if english else "事件编号,社区,上报时间"
    ids = [f"T{hashlib.md5(repr((names, encoding, english)).encode()).hexdigest()[:8]}-{i}" for i in range(len(names))]
    text = header + "\n" + "".join(f"{k},{n},2026-03-05 09:00\n" for k, n in zip(ids, names))
    result = import_file(store.con, text.encode(encoding), "names.csv", store_path=store.path, today=TODAY)
    got = dict(store.con.execute(f"SELECT case_id, community FROM cases WHERE case_id IN ({', '.join('?' * len(ids))})",
                                 ids).fetchall())
    assert result.committed or result.skipped_as_batch, result.message
    assert got == dict(zip(ids, names)), (result.encoding, got)
