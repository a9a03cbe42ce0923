"""A small summary of what the store holds, kept up to date by every import and undo.

The dashboard's period and place pickers read it instead of scanning every row of every table: months with
data per table (with the first and last day) and the known places (the register plus places seen in facts).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pandas as pd

from .registry import SOURCES
from .schema import TABLES

DDL = (
    "CREATE TABLE IF NOT EXISTS data_months (table_name VARCHAR, month VARCHAR, rows BIGINT, first_day DATE, "
    "last_day DATE)",
    "CREATE TABLE IF NOT EXISTS data_places (table_name VARCHAR, district VARCHAR, street VARCHAR, "
    "community VARCHAR)",
)


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create the summary tables; fill them once for a store made before they existed."""
    for ddl in DDL:
        con.execute(ddl)
    empty = con.execute("SELECT (SELECT count(*) FROM data_months) + (SELECT count(*) FROM data_places)").fetchall()
    if empty[0][0] == 0:
        for table in TABLES:
            refresh(con, table)


def refresh(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Recount one table's months and places (inside the import's or undo's transaction)."""
    con.execute("DELETE FROM data_months WHERE table_name = ?", [table])
    con.execute("DELETE FROM data_places WHERE table_name = ?", [table])
    if table in SOURCES:
        col = SOURCES[table].time_column
        con.execute(f"INSERT INTO data_months SELECT ?, strftime({col}, '%Y-%m'), count(*), "
                    f"CAST(min({col}) AS DATE), CAST(max({col}) AS DATE) FROM {table} "
                    f"WHERE {col} IS NOT NULL GROUP BY 2", [table])
    con.execute(f"INSERT INTO data_places SELECT DISTINCT ?, district, street, community FROM {table} "
                "WHERE community IS NOT NULL OR district IS NOT NULL", [table])


def months(con: duckdb.DuckDBPyConnection, until: dt.date | None = None) -> list[str]:
    """Months (YYYY-MM) in which any fact row is dated, newest first; none after `until`'s month."""
    last = (until or dt.date.max).strftime("%Y-%m")
    return [r[0] for r in con.execute("SELECT DISTINCT month FROM data_months WHERE month <= ? ORDER BY month DESC",
                                      [last]).fetchall()]


def span(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    """First and last day with data. Tasks are dated by the end of their period, which may lie ahead, so
    the last day comes from the tables dated by events (cases, activities, wishes) when they have any."""
    lo, hi, events = con.execute(
        "SELECT min(first_day), max(last_day), max(last_day) FILTER (WHERE table_name <> 'tasks') "
        "FROM data_months").fetchall()[0]
    return lo, events or hi


def places(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every known district/street/community with its brand: the register plus places seen in facts."""
    return con.execute(
        """
        SELECT s.district, s.street, s.community, c.brand, c.brand_method
        FROM (SELECT DISTINCT district, street, community FROM data_places) s
        LEFT JOIN (SELECT * FROM communities QUALIFY row_number() OVER (PARTITION BY district, community
                                                                        ORDER BY street NULLS LAST) = 1) c
               ON c.community = s.community AND c.district IS NOT DISTINCT FROM s.district
        ORDER BY s.district NULLS LAST, s.street NULLS LAST, s.community NULLS LAST
        """).df()
