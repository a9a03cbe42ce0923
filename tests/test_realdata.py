"""Every real export in ../shared/realdata imports; each row is loaded or rejected with a reason.

Expected counts come from reading the files independently with Python's csv module
or openpyxl, not from the importer.
"""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from helpers import load, rows
from metrics.importer import ImportOptions

SF_MAP = {"CaseID": "case_id", "Opened": "reported_at", "Closed": "closed_at", "Status": "status",
          "Neighborhood": "community", "Category": "category", "Source": "channel",
          "Responsible.Agency": "handler"}
STL_MAP = {"REQUESTID": "case_id", "DATETIMEINIT": "reported_at", "DATETIMECLOSED": "closed_at",
           "PRJCOMPLETEDATE": "due_at", "STATUS": "status", "NEIGHBORHOOD": "community",
           "PROBLEMCODE": "category", "CALLERTYPE": "channel", "SUBMITTO": "handler", "WARD": "grid"}
NYC_MAP = {"Unique Key": "case_id", "Created Date": "reported_at", "Closed Date": "closed_at",
           "Due Date": "due_at", "Status": "status", "Borough": "district", "Community Board": "community",
           "Complaint Type": "category", "Open Data Channel Type": "channel", "Agency": "handler"}
VOL_MAP = {"opportunity_id": "activity_id", "start_date_date": "activity_date", "vol_requests": "volunteers",
           "hours": "hours", "category_desc": "activity_type", "org_title": "team", "Borough": "district"}


def csv_records(path: Path) -> list[dict[str, str]]:
    """The file's records as dicts, read by Python's csv module."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def assert_every_row_accounted(con, result, n_records: int) -> None:
    """Loaded + rejected + duplicates equals the records in the file, and rejects carry reasons."""
    assert result.rows_read == n_records
    assert result.rows_loaded + result.rows_rejected + result.rows_duplicate == n_records
    unexplained = rows(con, "SELECT count(*) FROM import_rejects WHERE line IS NULL OR reason IS NULL "
                            "OR column_name IS NULL")
    assert unexplained == [(0,)]
    assert rows(con, "SELECT count(DISTINCT line) FROM import_rejects") == [(result.rows_rejected,)]


def test_san_francisco(con, realdata):
    path = realdata / "sf311_cases_sample_10000.csv"
    records = csv_records(path)
    r = load(con, path, table="cases", options=ImportOptions(columns=SF_MAP))
    assert_every_row_accounted(con, r, len(records))
    assert rows(con, "SELECT count(*) FROM cases") == [(len({rec["CaseID"] for rec in records}),)]
    before = sum(1 for rec in records if rec["Closed"] and _us(rec["Closed"]) < _us(rec["Opened"]))
    assert before == 129  # the README's figure
    assert rows(con, "SELECT count(*) FROM cases WHERE quality_flag = 'close_before_report'") == [(before,)]
    open_count = sum(1 for rec in records if rec["Status"] == "Open")
    assert rows(con, "SELECT count(*) FROM cases WHERE status = 'open'") == [(open_count,)]


def _us(text: str):
    """Parse a US 311 timestamp like 04/30/2014 02:51:52 PM."""
    import datetime as dt
    return dt.datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p")


def test_st_louis_repeated_ids_end_up_once_each_last_row_winning(con, realdata):
    path = realdata / "stl_csb_2010.csv"
    records = csv_records(path)
    r = load(con, path, table="cases", options=ImportOptions(columns=STL_MAP))
    assert_every_row_accounted(con, r, len(records))
    last = {rec["REQUESTID"]: rec for rec in records}
    assert len(last) < len(records)
    assert rows(con, "SELECT count(*), count(DISTINCT case_id) FROM cases") == [(len(last), len(last))]
    stored = dict(rows(con, "SELECT case_id, coalesce(channel, '') FROM cases"))
    assert stored == {k: v["CALLERTYPE"] for k, v in last.items()}
    cancelled = sum(1 for v in last.values() if v["STATUS"].upper() == "CANCEL")
    assert rows(con, "SELECT count(*) FROM cases WHERE status = 'cancelled'") == [(cancelled,)]
    placeholders = sum(1 for v in last.values() if v["PRJCOMPLETEDATE"].startswith("1900-01-01"))
    assert placeholders >= 1
    assert rows(con, "SELECT count(*) FROM cases WHERE due_at IS NULL") == [
        (sum(1 for v in last.values() if not v["PRJCOMPLETEDATE"] or v["PRJCOMPLETEDATE"].startswith("1900")),)]


def test_new_york_311_with_an_explicit_value_map(con, realdata):
    path = realdata / "nyc311_sample_1000.csv"
    records = csv_records(path)
    r = load(con, path, table="cases", options=ImportOptions(columns=NYC_MAP))
    assert_every_row_accounted(con, r, len(records))
    unknown = [i + 2 for i, rec in enumerate(records) if rec["Status"] == "Email Sent"]
    assert [line for line, *_ in r.rejects] == unknown
    assert {reason for *_, reason in r.rejects} == {"未知的状态值 (unknown status word)"}

    r2 = load(con, path, table="cases",
              options=ImportOptions(columns=NYC_MAP, values={"status": {"Email Sent": "open"}}))
    assert r2.rows_rejected == 0
    assert rows(con, "SELECT count(*) FROM cases") == [(len(records),)]


def test_volunteer_opportunities(con, realdata):
    path = realdata / "nyc_service_volunteer_opportunities.csv"
    records = csv_records(path)
    r = load(con, path, table="volunteer_activities", options=ImportOptions(columns=VOL_MAP))
    assert_every_row_accounted(con, r, len(records))
    assert rows(con, "SELECT sum(hours) FROM volunteer_activities") == [
        (sum(float(rec["hours"] or 0) for rec in records),)]


def test_wenzheng_xlsx_and_csv_give_identical_tables(tmp_path, realdata):
    from metrics.store import connect
    tables = []
    for name in ("wenzheng_teddycup2020_fj4_original.xlsx", "wenzheng_replies_teddycup2020.csv"):
        con = connect(tmp_path / f"{name}.duckdb")
        r = load(con, realdata / name)
        assert (r.table, r.rows_rejected) == ("cases", 0)
        tables.append(rows(con, "SELECT case_id, reported_at, closed_at, status FROM cases ORDER BY case_id"))
        con.close()
    assert tables[0] == tables[1]
    wb = openpyxl.load_workbook(realdata / "wenzheng_teddycup2020_fj4_original.xlsx", read_only=True)
    n_xlsx = sum(1 for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True) if any(row))
    assert len(tables[0]) == n_xlsx == 2816
    assert all(status == "closed" for *_, status in tables[0])


def test_every_realdata_file_imports_through_the_cli(tmp_path, realdata):
    """The documented commands for each real file exit 0 and report line numbers for rejects."""
    import subprocess
    import sys
    root = Path(__file__).resolve().parent.parent
    db = tmp_path / "cli.duckdb"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "metrics", "import", "--db", str(db), *args],
                              cwd=root, capture_output=True, text=True, timeout=300)

    def maps(m: dict[str, str]) -> list[str]:
        return [a for k, v in m.items() for a in ("--map", f"{k}={v}")]

    for args in (["--table", "cases", *maps(SF_MAP), str(realdata / "sf311_cases_sample_10000.csv")],
                 ["--table", "cases", *maps(STL_MAP), str(realdata / "stl_csb_2010.csv")],
                 ["--table", "cases", *maps(NYC_MAP), str(realdata / "nyc311_sample_1000.csv")],
                 ["--table", "volunteer_activities", *maps(VOL_MAP),
                  str(realdata / "nyc_service_volunteer_opportunities.csv")],
                 [str(realdata / "wenzheng_replies_teddycup2020.csv")]):
        proc = run(*args)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr
    assert "第 765 行" in run("--table", "cases", *maps(NYC_MAP), "--dry-run",
                             str(realdata / "nyc311_sample_1000.csv")).stdout


# Indicators on real exports: each expected value comes from a plain computation in the test.

def _median(values: list[float]) -> float | None:
    """Median of values, or None for none."""
    import statistics
    return statistics.median(values) if values else None


def test_san_francisco_completion_and_median_days_by_neighborhood(con, realdata):
    import datetime as dt
    from metrics.query import Query, compute
    path = realdata / "sf311_cases_sample_10000.csv"
    load(con, path, table="cases", options=ImportOptions(columns=SF_MAP))
    groups: dict[str | None, dict[str, list]] = {}
    for rec in csv_records(path):
        g = groups.setdefault(rec["Neighborhood"] or None, {"closed": [], "days": []})
        g["closed"].append(rec["Status"] == "Closed")
        if rec["Status"] == "Closed" and rec["Closed"]:
            days = (_us(rec["Closed"]) - _us(rec["Opened"])) / dt.timedelta(days=1)
            if days >= 0:
                g["days"].append(days)
    frame = compute(con, Query(["case_completion_rate", "case_median_days"], ["community"]))
    got = {(None if pd.isna(r["community"]) else r["community"]): r for r in frame.to_dict("records")}
    assert set(got) == set(groups)
    for name, g in groups.items():
        assert got[name]["case_completion_rate"] == pytest.approx(sum(g["closed"]) / len(g["closed"]))
        expected = _median(g["days"])
        if expected is None:
            assert pd.isna(got[name]["case_median_days"])
        else:
            assert got[name]["case_median_days"] == pytest.approx(expected)


def test_st_louis_on_time_rate_after_deduplication(con, realdata):
    import datetime as dt
    from metrics.query import Query, compute
    path = realdata / "stl_csb_2010.csv"
    load(con, path, table="cases", options=ImportOptions(columns=STL_MAP))
    last = {rec["REQUESTID"]: rec for rec in csv_records(path)}
    on_time = with_due = 0
    for rec in last.values():
        if rec["STATUS"].upper() != "CLOSED" or not rec["DATETIMECLOSED"] or not rec["PRJCOMPLETEDATE"]:
            continue
        due = dt.datetime.strptime(rec["PRJCOMPLETEDATE"], "%Y-%m-%d %H:%M:%S.%f")
        if due.year < 1901:
            continue
        if due.time() == dt.time(0):
            due = due + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
        closed = dt.datetime.strptime(rec["DATETIMECLOSED"], "%Y-%m-%d %H:%M:%S.%f")
        with_due += 1
        on_time += closed <= due
    frame = compute(con, Query(["case_ontime_rate"]))
    assert (frame["case_ontime_rate__num"][0], frame["case_ontime_rate__den"][0]) == (on_time, with_due)
    assert frame["case_ontime_rate"][0] == pytest.approx(on_time / with_due)


def test_wenzheng_median_reply_days(con, realdata):
    import datetime as dt
    from metrics.query import Query, compute
    path = realdata / "wenzheng_replies_teddycup2020.csv"
    load(con, path)

    def parse(text: str) -> dt.datetime:
        for fmt in ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(text, fmt)
            except ValueError:
                pass
        raise ValueError(text)

    days = []
    for rec in csv_records(path):
        d = (parse(rec["答复时间"]) - parse(rec["留言时间"])) / dt.timedelta(days=1)
        if d >= 0:
            days.append(d)
    frame = compute(con, Query(["case_median_days", "cases_closed"]))
    assert frame["case_median_days"][0] == pytest.approx(_median(days))
    assert frame["cases_closed"][0] == 2816


@pytest.mark.parametrize("name,table,id_column,bad", [
    ("sf311_cases_sample_10000.csv", "cases", "CaseID", lambda rec: False),
    ("stl_csb_2010.csv", "cases", "REQUESTID", lambda rec: False),
    ("nyc311_sample_1000.csv", "cases", "Unique Key", lambda rec: rec["Status"] == "Email Sent"),
    ("nyc_service_volunteer_opportunities.csv", "volunteer_activities", "opportunity_id", lambda rec: False),
    ("wenzheng_replies_teddycup2020.csv", "cases", "留言编号", lambda rec: False),
])
def test_every_real_export_loads_without_any_mapping(con, realdata, name, table, id_column, bad):
    """No --table, no --map: the headers are recognised by meaning and every row is loaded or explained."""
    records = csv_records(realdata / name)
    r = load(con, realdata / name)
    assert r.table == table
    rejected = [rec for rec in records if bad(rec)]
    unique_good = {rec[id_column] for rec in records if not bad(rec)}
    assert (r.rows_read, r.rows_rejected) == (len(records), len(rejected))
    assert r.rows_loaded == len(unique_good)
    assert r.rows_duplicate == len(records) - len(rejected) - len(unique_good)
