"""One bad file cannot hurt anyone else: uploads are parsed and staged in a child process with limits on
memory, CPU and wall time; a crash, a timeout or a memory blow-up there is one clear line, the caller keeps
running and the store is unchanged."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import hostile_files as hf
from conftest import ROOT
from metrics import snapshots, worker
from metrics.errors import GovdashError
from metrics.importer import ImportOptions

PAGE = str(ROOT / "pages" / "import_data.py")


@pytest.fixture
def store(tmp_path):
    """A published store holding three cases."""
    path = tmp_path / "gov.duckdb"
    with snapshots.writing(path) as con:
        from metrics.importer import import_file
        import_file(con, hf.good_file(tmp_path).read_bytes(), "good.csv", ImportOptions())
    return path


def count(store) -> int:
    """Cases in the newest snapshot."""
    con = snapshots.reader(store)
    try:
        return con.execute("SELECT count(*) FROM cases").fetchall()[0][0]
    finally:
        con.close()


def payload(name: str, **more) -> dict:
    """A worker request for a file called name."""
    return {"name": name, "options": ImportOptions(), **more}


def test_preview_and_import_run_in_the_child(store, tmp_path):
    data = hf.good_text("B", 4).encode("utf-8")
    preview = worker.call("preview", payload("b.csv"), store, data=data)
    assert preview.rows_read == 4 and not preview.committed and count(store) == 3
    ticks = []
    result = worker.call("import", payload("b.csv"), store, progress=lambda f, s: ticks.append(s), data=data)
    assert result.committed and result.rows_loaded == 4
    assert count(store) == 7  # published for readers at once


def test_a_crash_in_the_child_is_one_line_and_changes_nothing(store, monkeypatch):
    monkeypatch.setenv("GOVDASH_CRASH_AT", "before-commit")  # the child kills itself mid-import
    with pytest.raises(GovdashError, match="意外终止（SIGKILL）") as caught:
        worker.call("import", payload("c.csv"), store, data=hf.good_text("C", 5).encode("utf-8"))
    assert "\n" not in caught.value.line()
    monkeypatch.delenv("GOVDASH_CRASH_AT")
    assert count(store) == 3
    after = worker.call("import", payload("c.csv"), store, data=hf.good_text("C", 5).encode("utf-8"))
    assert after.committed  # the store's lock was released by the dead child


def test_a_timeout_stops_the_child(store):
    with pytest.raises(GovdashError, match="处理超时"):
        worker.call("preview", payload("d.csv"), store, data=hf.good_text("D", 50).encode("utf-8"), wall_s=0.01)
    assert count(store) == 3


def test_a_memory_limit_is_one_line(store):
    with pytest.raises(GovdashError) as caught:
        worker.call("preview", payload("e.csv"), store, data=hf.good_text("E", 5).encode("utf-8"), memory_mb=64)
    assert "未做任何更改" in caught.value.line()
    assert count(store) == 3


def test_the_whole_sheet_xlsx_is_handled_in_the_child(store, tmp_path):
    data = hf.xlsx_huge_dimension(tmp_path).read_bytes()  # 4.8 KB declaring A1:XFD1048576
    try:
        result = worker.call("preview", payload("huge.xlsx"), store, data=data)
        assert result.rows_read == 3
    except GovdashError as exc:
        assert "\n" not in exc.line()
    assert count(store) == 3


def test_the_import_page_survives_a_bad_upload(store, tmp_path, monkeypatch):
    monkeypatch.setenv("GOVDASH_DB", str(store))
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.file_uploader(key="imp_files").set_value([
        ("huge.xlsx", hf.xlsx_huge_dimension(tmp_path).read_bytes(), "application/octet-stream"),
        ("nul.csv", hf.nul_bytes(tmp_path).read_bytes(), "text/csv")]).run()
    assert not at.exception
    assert count(store) == 3
