"""Period arithmetic: comparison periods and calendar helpers."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


def month_end(day: dt.date) -> dt.date:
    """Last day of day's month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """day shifted by whole months, clamped to the target month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def whole_months(start: dt.date, end: dt.date) -> int | None:
    """Number of calendar months when [start, end] is made of whole months, else None."""
    if start.day != 1 or end != month_end(end) or end < start:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of equal length just before [start, end] (whole months stay whole months: 环比)."""
    months = whole_months(start, end)
    if months:
        first = add_months(start, -months)
        return first, month_end(add_months(first, months - 1))
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)


def year_earlier(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The same period one year earlier (同比); 29 February becomes the 28th."""
    months = whole_months(start, end)
    first = add_months(start, -12)
    if months:
        return first, month_end(add_months(first, months - 1))
    return first, add_months(end, -12)


def compare_period(kind: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The base period for --compare previous|year."""
    return previous_period(start, end) if kind == "previous" else year_earlier(start, end)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar quarter."""
    first = dt.date(year, 3 * quarter - 2, 1)
    return first, month_end(add_months(first, 2))


def latest_complete_month(months: list[str], today: dt.date) -> tuple[dt.date, dt.date]:
    """The newest month (YYYY-MM) with data that has ended by today: the dashboard's default period."""
    ended = [m for m in months if month_end(dt.date.fromisoformat(m + "-01")) < today]
    first = dt.date.fromisoformat((max(ended) if ended else min(months)) + "-01")
    return first, month_end(first)


def parse_period(text: str) -> tuple[str, dt.date, dt.date]:
    """('month'|'quarter'|'year'|'custom', start, end) from 2026-10, 2026-Q3, 2026 or 2026-01-01~2026-03-31."""
    text = text.strip()
    try:
        if "~" in text:
            lo, hi = (dt.date.fromisoformat(p.strip()) for p in text.split("~", 1))
            if hi < lo:
                raise ValueError(text)
            return "custom", lo, hi
        if "-Q" in text.upper():
            year, quarter = text.upper().split("-Q")
            if not 1 <= int(quarter) <= 4:
                raise ValueError(text)
            return ("quarter", *quarter_bounds(int(year), int(quarter)))
        if len(text) == 4:
            return "year", dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
        first = dt.date.fromisoformat(text + "-01")
        return "month", first, month_end(first)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"unknown period {text!r}") from exc


def period_label(kind: str, start: dt.date, end: dt.date) -> str:
    """The canonical text of a period (the inverse of parse_period)."""
    if kind == "month":
        return start.strftime("%Y-%m")
    if kind == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if kind == "year":
        return str(start.year)
    return f"{start.isoformat()}~{end.isoformat()}"


_SHIFT = {"month": 1, "quarter": 3, "year": 12}
QUARTER_ZH = {1: "一", 2: "二", 3: "三", 4: "四"}


def shift_span(start: dt.date, end: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """[start, end] moved by whole months; an end on a month's last day stays on the last day."""
    first = add_months(start, months)
    last = add_months(end, months)
    if end == month_end(end):
        last = month_end(last)
    return first, last


@dataclass(frozen=True)
class Period:
    """A period as the user picked it (month, quarter, year or custom) and the data it can hold.

    `through` is the last day with data: a period reaching past it is partial, its figures cover only
    [start, effective_end], and it is compared like for like with the same span before.
    """

    kind: str
    start: dt.date
    end: dt.date
    through: dt.date | None = None

    @property
    def partial(self) -> bool:
        """True when data ends before the period does (a quarter or year still running)."""
        return self.through is not None and self.start <= self.through < self.end

    @property
    def effective_end(self) -> dt.date:
        """The last day the figures cover."""
        return self.through if self.partial else self.end

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        """The days the figures cover."""
        return self.start, self.effective_end

    def previous(self) -> tuple[dt.date, dt.date]:
        """环比: the same span in the period before (a partial quarter: the first months of the last one)."""
        if self.kind in _SHIFT:
            return shift_span(self.start, self.effective_end, -_SHIFT[self.kind])
        return previous_period(*self.span)

    def year_before(self) -> tuple[dt.date, dt.date]:
        """同比: the same span one year earlier."""
        return shift_span(self.start, self.effective_end, -12)

    def label(self, lang: str = "zh") -> str:
        """'2026年10月', '2026年第四季度（截至10月）', '2026年（截至10月）', '2026-01-01 至 2026-03-31'."""
        upto = ""
        if self.partial:
            last = self.effective_end
            whole = last == month_end(last)
            upto = (f"（截至{last.month}月）" if whole else f"（截至{last.month}月{last.day}日）") if lang == "zh" else \
                (f" (to {last:%b}" + ("" if whole else f" {last.day}") + ")")
        if self.kind == "month":
            return (f"{self.start.year}年{self.start.month}月" if lang == "zh" else f"{self.start:%B %Y}") + upto
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return (f"{self.start.year}年第{QUARTER_ZH[q]}季度" if lang == "zh" else f"Q{q} {self.start.year}") + upto
        if self.kind == "year":
            return (f"{self.start.year}年" if lang == "zh" else str(self.start.year)) + upto
        sep = " 至 " if lang == "zh" else " to "
        return f"{self.start.isoformat()}{sep}{self.effective_end.isoformat()}"

    def span_label(self, span: tuple[dt.date, dt.date], lang: str = "zh") -> str:
        """A comparison span in words: '2026年7月', '2025年1—10月', '2026-01-01 至 2026-01-31'."""
        lo, hi = span
        whole = lo.day == 1 and hi == month_end(hi)
        if whole and lo.year == hi.year:
            if lo.month == hi.month:
                return f"{lo.year}年{lo.month}月" if lang == "zh" else f"{lo:%B %Y}"
            return f"{lo.year}年{lo.month}—{hi.month}月" if lang == "zh" else f"{lo:%b}–{hi:%b %Y}"
        sep = " 至 " if lang == "zh" else " to "
        return f"{lo.isoformat()}{sep}{hi.isoformat()}"
