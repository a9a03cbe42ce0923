"""Hostile inputs through `python -m metrics import`: every file ends in one true line or a correct import.

Each test copies a store built once from a good export, runs the CLI in a subprocess (timeout 60 s) on one
hostile file from tests/hostile_files.py, and checks the contract: exit 0, 1 or 2, never a traceback; a
failure prints exactly one line and leaves every table of the store as it was; an import loads the right
values. Timings are not asserted (see `--durations=0`).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pytest

import hostile_files as hf
from conftest import ROOT

TIMEOUT = 60
FAILED = "失败 (failed):"
ERROR = "错误 (error):"
NOBODY = ("--reuid=65534", "--regid=65534", "--clear-groups")


@dataclass
class Run:
    """One CLI run: exit code, output and wall time."""

    code: int
    stdout: str
    stderr: str
    elapsed: float

    @property
    def lines(self) -> list[str]:
        """Non-blank output lines, stdout first."""
        return [ln for ln in (self.stdout + "\n" + self.stderr).splitlines() if ln.strip()]

    def tail(self) -> str:
        """The end of both streams, for assertion messages."""
        return (f"exit {self.code} after {self.elapsed:.2f}s\nstdout: {self.stdout[-1500:]}\n"
                f"stderr: {self.stderr[-1500:]}")


def cli(db: Path, *files: Path, extra: tuple[str, ...] = (), prefix: tuple[str, ...] = ()) -> Run:
    """Run `python -m metrics import --db db [extra] files` and check what every run must satisfy."""
    args = [*prefix, sys.executable, "-m", "metrics", "import", "--db", str(db), *extra, *map(str, files)]
    start = time.monotonic()
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT,
                          env={**os.environ, "GOVDASH_DEBUG": ""})
    run = Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
    assert run.code in (0, 1, 2), run.tail()
    assert "Traceback" not in run.stderr + run.stdout, run.tail()
    return run


def counts(db: Path) -> dict[str, int]:
    """Row count of every table in the store, opened read-only."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1").fetchall()]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchall()[0][0] for n in names}
    finally:
        con.close()


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of a query on the store, opened read-only."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def assert_failed(run: Run, db: Path, before: dict[str, int], *words: str) -> str:
    """Exit 1 with exactly one `失败` line on stdout naming all words; the store unchanged. Return the line."""
    assert run.code == 1, run.tail()
    assert len(run.lines) == 1 and run.stdout.startswith(FAILED), run.tail()
    for word in words:
        assert word in run.lines[0], run.tail()
    assert counts(db) == before
    return run.lines[0]


def assert_refused(run: Run, *words: str) -> str:
    """Exit 1 or 2 with exactly one line (a `失败` line on stdout or an `错误` line on stderr). Return it."""
    assert run.code in (1, 2), run.tail()
    assert len(run.lines) == 1, run.tail()
    assert run.stdout.startswith(FAILED) or run.stderr.startswith(ERROR), run.tail()
    for word in words:
        assert word in run.lines[0], run.tail()
    return run.lines[0]


def assert_imported(run: Run, db: Path, before: dict[str, int], table: str = "cases") -> int:
    """Exit 0 with one new committed batch into table; return its id."""
    assert run.code == 0, run.tail()
    after = counts(db)
    assert after["import_batches"] == before["import_batches"] + 1, run.tail()
    batch, name = query(db, "SELECT id, table_name FROM import_batches ORDER BY id DESC LIMIT 1")[0]
    assert name == table, run.tail()
    return batch


def loaded(db: Path, batch: int, table: str = "cases", key: str = "case_id",
           column: str = "community") -> dict[str, tuple]:
    """{key: (column value, source line)} of the rows a batch wrote."""
    rows = query(db, f"SELECT {key}, {column}, source_line FROM {table} WHERE batch_id = ?", [batch])
    return {k: (v, line) for k, v, line in rows}


def rejected(db: Path, batch: int) -> dict[int, str]:
    """{line: reasons} of the rejects a batch recorded."""
    rows = query(db, "SELECT line, string_agg(reason, '; ') FROM import_rejects WHERE batch_id = ? GROUP BY line",
                 [batch])
    return dict(rows)


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one good batch (A1..A3), built once for the module."""
    folder = tmp_path_factory.mktemp("baseline")
    db = folder / "gov.duckdb"
    run = cli(db, hf.good_file(folder))
    assert run.code == 0, run.tail()
    return db


@pytest.fixture
def store(baseline: Path, tmp_path: Path) -> Path:
    """A private copy of the baseline store."""
    db = tmp_path / "store" / "gov.duckdb"
    db.parent.mkdir()
    shutil.copyfile(baseline, db)
    return db


@pytest.fixture
def files(tmp_path: Path) -> Iterator[Path]:
    """The folder hostile files are written to; emptied afterwards (some are 50 MB)."""
    folder = tmp_path / "files"
    folder.mkdir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run_file(store: Path, files: Path, writer: Callable[[Path], Path]) -> tuple[Run, dict[str, int]]:
    """Write one hostile file and import it; return the run and the store's counts before it."""
    path = writer(files)
    before = counts(store)
    return cli(store, path), before


# ---------------------------------------------------------------- not a table at all

def test_empty_file(store: Path, files: Path) -> None:
    """Zero bytes: one line, nothing changed."""
    run, before = run_file(store, files, hf.empty)
    assert_failed(run, store, before, "empty")


@pytest.mark.parametrize("writer", [hf.header_only, hf.total_row_only], ids=["header_only", "total_row_only"])
def test_no_data_rows_records_no_batch(store: Path, files: Path, writer: Callable[[Path], Path]) -> None:
    """A header alone, or with a 合计 row only: a failure, and no empty batch in import_batches."""
    run, before = run_file(store, files, writer)
    assert_failed(run, store, before, "no data rows")


@pytest.mark.parametrize("writer,words", [
    (hf.binary_csv, ()), (hf.gzip_csv, ("gzip",)), (hf.zip_as_xlsx, ("xlsx",)), (hf.zip_as_csv, ("xlsx",)),
], ids=["binary_csv", "gzip_csv", "zip_as_xlsx", "zip_as_csv"])
def test_not_a_table(store: Path, files: Path, writer: Callable[[Path], Path], words: tuple[str, ...]) -> None:
    """Binary, gzip and foreign-zip bytes: one line, nothing changed."""
    run, before = run_file(store, files, writer)
    assert_failed(run, store, before, *words)


# ---------------------------------------------------------------- encodings and bytes

def test_utf16le_without_bom(store: Path, files: Path) -> None:
    """UTF-16 LE without a BOM is recognised and loads every row intact."""
    run, before = run_file(store, files, hf.utf16le_no_bom)
    batch = assert_imported(run, store, before)
    assert loaded(store, batch) == {f"U{i}": ("拱辰社区", i + 1) for i in (1, 2, 3)}


def test_latin1_never_loads_mojibake(store: Path, files: Path) -> None:
    """cp1252 text: fail in one line, or load only rows whose text reads as written."""
    run, before = run_file(store, files, hf.latin1)
    if run.code == 1:
        assert_failed(run, store, before)
        return
    batch = assert_imported(run, store, before)
    got = {value for value, _ in loaded(store, batch).values()}
    assert got <= set(hf.LATIN1_COMMUNITIES), got


def test_gb18030_four_byte_characters_are_not_read_as_western(store: Path, files: Path) -> None:
    """GB18030 writes rare characters of names (㛃, 䶮, 𠮷) as high-digit-high-digit: such a file once read as
    Windows-1252 and loaded 'Íõ‚0·1' for 王㛃. It loads every name as written."""
    run, before = run_file(store, files, hf.gb18030_rare)
    batch = assert_imported(run, store, before)
    assert loaded(store, batch) == {f"G{i}": (name, i + 1) for i, name in enumerate(hf.RARE_NAMES, start=1)}
    assert "GB18030" in run.stdout


def test_gbk_with_one_bad_byte(store: Path, files: Path) -> None:
    """GBK with one invalid byte in row K3 (line 4): only that row is rejected, with its line and a reason."""
    run, before = run_file(store, files, hf.gbk_bad_byte)
    batch = assert_imported(run, store, before)
    assert loaded(store, batch) == {f"K{i}": ("拱辰社区", i + 1) for i in (1, 2, 4, 5)}
    assert "undecodable" in rejected(store, batch)[4]


def test_nul_bytes_in_data(store: Path, files: Path) -> None:
    """NUL bytes inside cells are removed (with a warning); the rows load with their text intact."""
    run, before = run_file(store, files, hf.nul_bytes)
    batch = assert_imported(run, store, before)
    assert loaded(store, batch) == {f"N{i}": ("拱辰社区", i + 1) for i in (1, 2, 3)}
    assert "NUL" in run.stdout


def test_cr_only_line_ends(store: Path, files: Path) -> None:
    """Old-Mac CR line ends: every row loads with its true line number."""
    run, before = run_file(store, files, hf.cr_only)
    batch = assert_imported(run, store, before)
    assert loaded(store, batch) == {f"R{i}": ("拱辰社区", i + 1) for i in (1, 2, 3, 4)}


# ---------------------------------------------------------------- quoting

@pytest.mark.parametrize("writer,line", [(hf.unterminated_last, 5), (hf.unterminated_middle, 3)],
                         ids=["last_line", "middle_line"])
def test_unterminated_quote_names_its_line(store: Path, files: Path, writer: Callable[[Path], Path],
                                           line: int) -> None:
    """A quote never closed: one line naming the line where it opens, nothing changed."""
    run, before = run_file(store, files, writer)
    assert_failed(run, store, before, f"line {line}")


def assert_every_line_accounted(run: Run, db: Path, before: dict[str, int], lines: range, line: int) -> None:
    """Fail naming `line`, or import with every data line either loaded or rejected with a reason."""
    if run.code == 1:
        assert_failed(run, db, before, f"line {line}")
        return
    batch = assert_imported(run, db, before)
    seen = {ln for _, ln in loaded(db, batch).values()} | set(rejected(db, batch))
    assert set(lines) <= seen, f"lines neither loaded nor rejected: {sorted(set(lines) - seen)}\n{run.tail()}"


def test_two_unterminated_quotes_drop_no_row(store: Path, files: Path) -> None:
    """Quotes opened on lines 3 and 6 (an even count): no data line silently disappears."""
    run, before = run_file(store, files, hf.unterminated_middle_even)
    assert_every_line_accounted(run, store, before, range(2, 8), 3)


def test_stray_closing_quote_drops_no_row(store: Path, files: Path) -> None:
    """A quote opened on line 3 and closed by a stray quote on line 6: no data line silently disappears."""
    run, before = run_file(store, files, hf.quote_swallows_rows)
    assert_every_line_accounted(run, store, before, range(2, 8), 3)


def test_quote_then_text(store: Path, files: Path) -> None:
    """"拱辰"社区: that row is rejected with a reason, or loads as written (quotes kept or dropped)."""
    run, before = run_file(store, files, hf.quote_then_text)
    batch = assert_imported(run, store, before)
    got = loaded(store, batch)
    assert got["T1"] == ("拱辰社区", 2) and got["T3"] == ("拱辰社区", 4)
    if "T2" in got:
        assert got["T2"] in (('"拱辰"社区', 3), ("拱辰社区", 3))
    else:
        assert "quoting" in rejected(store, batch)[3]


def test_sql_html_formula_text_load_as_text(store: Path, files: Path) -> None:
    """SQL, HTML and formula cells load as the plain text they are; no table is harmed."""
    run, before = run_file(store, files, hf.hostile_text)
    batch = assert_imported(run, store, before)
    got = loaded(store, batch)
    assert {k: v for k, (v, _) in got.items()} == {"S1": hf.HOSTILE_TEXTS[0], "S2": hf.HOSTILE_TEXTS[1],
                                                   "S3": hf.HOSTILE_TEXTS[2], "S4": "拱辰社区"}
    assert counts(store)["cases"] == before["cases"] + 4


# ---------------------------------------------------------------- size and width

@pytest.mark.parametrize("writer,prefix", [(hf.cols_10000, "W"), (hf.cols_500, "V")],
                         ids=["cols_10000", "cols_500"])
def test_wide_files(store: Path, files: Path, writer: Callable[[Path], Path], prefix: str) -> None:
    """10,000 and 500 columns: the six known columns load, the rest are reported unused."""
    run, before = run_file(store, files, writer)
    batch = assert_imported(run, store, before)
    assert loaded(store, batch) == {f"{prefix}{i}": ("拱辰社区", i + 1) for i in (1, 2, 3)}


def test_single_50mb_line(store: Path, files: Path) -> None:
    """One 50 MB line without a line break: one line, nothing changed."""
    run, before = run_file(store, files, hf.single_line_50mb)
    assert_failed(run, store, before)


def test_50mb_data_row(store: Path, files: Path) -> None:
    """A 50 MB unmapped cell in row B2: one line, or B1 and B3 load (B2 loaded or rejected with a reason)."""
    run, before = run_file(store, files, hf.data_line_50mb)
    if run.code == 1:
        assert_failed(run, store, before)
        return
    batch = assert_imported(run, store, before)
    got = loaded(store, batch)
    assert got["B1"][1] == 2 and got["B3"][1] == 4
    assert "B2" in got or 3 in rejected(store, batch)


def test_1mb_cells(store: Path, files: Path) -> None:
    """1 MB community cells (one quoted, with a comma): one line, or every cell loads whole."""
    run, before = run_file(store, files, hf.cells_1mb)
    if run.code == 1:
        assert_failed(run, store, before)
        return
    batch = assert_imported(run, store, before)
    big = "社" * (hf.MB // 3)
    assert loaded(store, batch) == {"C1": (big, 2), "C2": (f"{big},{big[:10]}", 3), "C3": (big, 4)}


# ---------------------------------------------------------------- values

def test_nan_inf_huge_counts(store: Path, files: Path) -> None:
    """NaN/inf/-inf/1e30/-1 in 参与人数 and Infinity in hours: those rows rejected with a reason, never stored."""
    run, before = run_file(store, files, hf.volunteer_numbers)
    batch = assert_imported(run, store, before, "volunteer_activities")
    got = loaded(store, batch, "volunteer_activities", "activity_id", "volunteers")
    assert got["H1"] == (12, 2) and got["H8"] == (7, 9)
    assert not query(store, "SELECT * FROM volunteer_activities WHERE NOT isfinite(hours) OR hours > 1e12 "
                            "OR volunteers < 0 OR volunteers > 1e12")
    reasons = rejected(store, batch)
    for line in (4, 5, 6, 7, 8):  # inf, -inf, 1e30, -1 people; Infinity hours
        assert line in reasons and f"H{line - 1}" not in got
    assert 3 in reasons or got.get("H2") == (None, 3)  # NaN: rejected, or read as an empty cell


def test_implausible_years(store: Path, files: Path) -> None:
    """上报时间 in 0001, 9999 and 2099: those rows are rejected with a reason, not loaded as facts."""
    run, before = run_file(store, files, hf.implausible_years)
    batch = assert_imported(run, store, before)
    assert set(loaded(store, batch)) == {"Y1", "Y5"}
    reasons = rejected(store, batch)
    assert all(reasons.get(line) for line in (3, 4, 5)), reasons
    assert not query(store, "SELECT * FROM cases WHERE year(reported_at) IN (1, 9999, 2099)")


# ---------------------------------------------------------------- mapping profiles and stores

@pytest.mark.parametrize("kind", list(hf.BAD_PROFILES))
def test_bad_mapping_profile(store: Path, files: Path, kind: str) -> None:
    """A profile of the wrong shape, invalid JSON, a directory or a missing file: exit 2, one line."""
    good = files / "good.csv"
    good.write_text(hf.good_text("E"), encoding="utf-8")
    before = counts(store)
    run = cli(store, good, extra=("--mapping", str(hf.bad_profile(files, kind))))
    assert run.code == 2 and not run.stdout.strip(), run.tail()
    assert len(run.lines) == 1 and run.stderr.startswith(ERROR), run.tail()
    assert counts(store) == before


def test_store_is_a_directory(tmp_path: Path, files: Path) -> None:
    """--db naming a directory: one line, the directory left empty."""
    folder = tmp_path / "store.duckdb"
    folder.mkdir()
    run = cli(folder, hf.good_file(files))
    assert_refused(run, "directory")
    assert not any(folder.iterdir())


def test_store_is_sqlite(tmp_path: Path, files: Path) -> None:
    """--db naming an SQLite file: one line, its bytes unchanged."""
    db = hf.sqlite_store(tmp_path)
    data = db.read_bytes()
    run = cli(db, hf.good_file(files))
    assert_refused(run, "SQLite")
    assert db.read_bytes() == data


@pytest.fixture
def shared_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder another user can reach: tmp_path, or when running as root a fresh folder under /tmp."""
    if os.geteuid() != 0:
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(prefix="govdash-hostile-") as name:
        os.chmod(name, 0o755)
        yield Path(name)


def unprivileged(path: Path) -> tuple[str, ...]:
    """Command prefix under which path's mode is honoured (root ignores it), or skip the test."""
    if os.geteuid() != 0:
        if os.access(path, os.W_OK):
            pytest.skip(f"{path} is still writable after chmod; this file system ignores modes")
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, which ignores file modes, and setpriv is missing to drop to nobody")
    probe = subprocess.run([setpriv, *NOBODY, "test", "-w", str(path)], timeout=TIMEOUT)
    if probe.returncode == 0:
        pytest.skip(f"{path} is writable even for nobody; cannot make it read-only here")
    runs = subprocess.run([setpriv, *NOBODY, sys.executable, "-c", "import duckdb, metrics.cli"], cwd=ROOT,
                          capture_output=True, timeout=TIMEOUT)
    if runs.returncode != 0:
        pytest.skip(f"nobody cannot run the project from {ROOT} (a checkout or venv in a folder only root may "
                    "read, such as one made by mktemp -d); clone it where others may read to run this test")
    return (setpriv, *NOBODY)


def _readonly_setup(baseline: Path, shared_dir: Path, existing: bool, folder_mode: int,
                    file_mode: int) -> tuple[Path, Path]:
    """A store (copied from baseline, or absent) in a folder of the given mode, and a good file to import."""
    good = shared_dir / "good.csv"
    good.write_text(hf.good_text("E"), encoding="utf-8")
    folder = shared_dir / "store"
    folder.mkdir()
    db = folder / "gov.duckdb"
    if existing:
        shutil.copyfile(baseline, db)
        os.chmod(db, file_mode)
        if os.geteuid() == 0:
            os.chown(db, 65534, 65534)  # nobody owns it: only the mode can stop the write
    os.chmod(folder, folder_mode)
    return db, good


@pytest.mark.parametrize("existing,folder_mode,file_mode", [
    (True, 0o777, 0o444), (True, 0o555, 0o644), (False, 0o555, 0o644),
], ids=["readonly_file", "store_in_readonly_folder", "new_store_in_readonly_folder"])
def test_readonly_store(baseline: Path, shared_dir: Path, existing: bool, folder_mode: int,
                        file_mode: int) -> None:
    """A read-only store file, or a store in a read-only folder: one line, nothing changed."""
    db, good = _readonly_setup(baseline, shared_dir, existing, folder_mode, file_mode)
    try:
        prefix = unprivileged(db if existing and file_mode == 0o444 else db.parent)
        before = counts(db) if existing else None
        run = cli(db, good, prefix=prefix)
        assert_refused(run)
        if existing:
            assert counts(db) == before
        else:
            assert not db.exists()
    finally:
        os.chmod(db.parent, 0o755)


# ---------------------------------------------------------------- xlsx

@pytest.mark.parametrize("writer,prefix", [(hf.xlsx_huge_dimension, "X"), (hf.xlsx_cell_xfd1, "F")],
                         ids=["dimension_A1_XFD1048576", "cell_at_XFD1"])
def test_xlsx_declared_or_real_width(store: Path, files: Path, writer: Callable[[Path], Path], prefix: str) -> None:
    """A sheet declaring A1:XFD1048576, or with a cell at XFD1: reads fast and loads the rows correctly."""
    run, before = run_file(store, files, writer)
    batch = assert_imported(run, store, before)
    assert loaded(store, batch) == {f"{prefix}{i}": ("拱辰社区", i + 1) for i in (1, 2, 3)}


def test_xlsx_title_without_header(store: Path, files: Path) -> None:
    """A title in A1 and data from row 3 with no header row: "no header", never data read as a header."""
    run, before = run_file(store, files, hf.xlsx_title_no_header)
    assert_failed(run, store, before, "no header")
