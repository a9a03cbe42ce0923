"""`python -m metrics compute` and `list`: formats, column names and errors."""
from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import write
from test_cli import cli
from test_indicators import CASES, COMMUNITIES, TASKS, VOLUNTEERS, WISHES


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """A store with the hand-made indicator fixture, imported through the CLI."""
    tmp = tmp_path_factory.mktemp("cli_compute")
    path = tmp / "c.duckdb"
    files = [write(tmp, n, t) for n, t in (("communities.csv", COMMUNITIES), ("cases.csv", CASES),
                                          ("vol.csv", VOLUNTEERS), ("wishes.csv", WISHES), ("tasks.csv", TASKS))]
    assert cli("import", "--db", str(path), *map(str, files)).returncode == 0
    return str(path)


def test_csv_has_group_columns_then_metric_num_den(db):
    proc = cli("compute", "--db", db, "--metric", "case_completion_rate,cases_received", "--by", "district,month",
               "--from", "2026-03-01", "--to", "2026-03-31")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == ["district", "month", "case_completion_rate", "case_completion_rate__num",
                       "case_completion_rate__den", "cases_received"]
    assert rows[1:] == [["乙区", "2026-03", "1.0", "1", "1", "1"], ["甲区", "2026-03", repr(5 / 6), "5", "6", "6"]]


def test_machine_formats_keep_full_precision_and_only_the_table_rounds(db):
    args = ("compute", "--db", db, "--metric", "case_completion_rate", "--from", "2026-03-01", "--to", "2026-03-31",
            "--where", "district=甲区")
    assert json.loads(cli(*args, "--format", "json").stdout)["rows"][0]["case_completion_rate"] == 5 / 6
    assert list(csv.reader(io.StringIO(cli(*args).stdout)))[1][0] == repr(5 / 6)
    assert "0.8333 " in cli(*args, "--format", "table").stdout + " "


def test_quarter_and_where(db):
    proc = cli("compute", "--db", db, "--metric", "cases_received", "--by", "quarter", "--where", "district=甲区",
               "--where", "district=乙区", "--where", "channel=12345热线")
    assert proc.stdout.splitlines() == ["quarter,cases_received", "2026-Q1,3", "2026-Q2,1"]


def test_json_with_compare(db):
    proc = cli("compute", "--db", db, "--metric", "cases_received", "--from", "2026-03-01", "--to", "2026-03-31",
               "--compare", "previous", "--format", "json")
    data = json.loads(proc.stdout)
    assert data["base_period"] == ["2026-02-01", "2026-02-28"]
    assert data["rows"] == [{"cases_received": 7, "cases_received__base": 1, "cases_received__change": 6.0,
                             "cases_received__change_rel": 6.0}]


def test_table_format(db):
    proc = cli("compute", "--db", db, "--metric", "volunteer_hours", "--by", "community", "--format", "table")
    assert proc.returncode == 0
    assert "A社区" in proc.stdout and "14.5" in proc.stdout


@pytest.mark.parametrize("args,text", [
    (["--metric", "nope"], "unknown metric nope"),
    (["--metric", "cases_received", "--by", "planet"], "unknown grouping planet"),
    (["--metric", "cases_received", "--where", "planet=x"], "unknown filter column planet"),
    (["--metric", "cases_received", "--from", "2026-13-01"], "YYYY-MM-DD"),
    (["--metric", "cases_received", "--compare", "previous"], "--compare needs --from and --to"),
    (["--metric", "cases_received", "--by", "month", "--from", "2026-03-01", "--to", "2026-03-31",
      "--compare", "year"], "cannot be combined"),
])
def test_errors_are_one_line_and_exit_2(db, args, text):
    proc = cli("compute", "--db", db, *args)
    assert proc.returncode == 2
    assert text in proc.stderr
    assert "Traceback" not in proc.stderr


def test_list_every_format():
    table = cli("list").stdout
    assert "case_completion_rate" in table and "办结率" in table
    rows = list(csv.DictReader(io.StringIO(cli("list", "--format", "csv").stdout)))
    assert {r["id"] for r in rows} >= {"case_ontime_rate", "task_completion_rate", "wish_median_days"}
    data = json.loads(cli("list", "--format", "json").stdout)
    assert all(r["description_zh"] and r["description_en"] for r in data["rows"])
