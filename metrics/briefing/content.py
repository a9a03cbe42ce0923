"""The briefing's content, built once from the query layer and the assessment, then rendered as Word,
HTML, PDF or Excel by the sibling modules. Every figure it states is kept in `figures` (for tests)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from .. import views
from ..assessment import alerts as alerts_mod
from ..assessment import changes, words
from ..assessment.scores import PLACE_KEYS, Scored, assessment_period, score
from ..access import Access
from ..assessment.versions import in_force
from ..errors import UsageError
from ..fmt import change, count, fmt, missing, number, points
from ..periods import Period, latest_complete_month
from ..query import compute
from ..registry import REGISTRY
from ..views import Scope

# The indicators the overview paragraph and table report, in this order.
OVERVIEW = ["cases_received", "case_due_completion_rate", "case_ontime_rate", "case_satisfaction_rate",
            "case_median_days", "volunteer_hours", "wishes_fulfilled", "task_completion_rate"]
CHANGE_METRIC = "case_due_completion_rate"
SECTION_NUMBERS = "一二三四五六七八九十"


@dataclass
class Table:
    """A table: title, header and rows of text (numbers already written as people read them)."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    # Row index → 'red' | 'black' | 'alert', for shading.
    marks: dict[int, str] = field(default_factory=dict)


@dataclass
class Chart:
    """A chart to draw: 'bars' (value per unit, coloured by list) or 'waterfall' (a change split in parts)."""

    title: str
    kind: str
    data: pd.DataFrame
    metric: str | None = None
    reference: float | None = None


@dataclass
class Section:
    """A numbered section: heading and blocks (paragraph text, Table or Chart) in order."""

    heading: str
    blocks: list = field(default_factory=list)


@dataclass
class Briefing:
    """The whole briefing."""

    title: str
    subtitle: str
    issued: dt.date
    area: str
    period: Period
    scheme_line: str
    sections: list[Section]
    figures: dict = field(default_factory=dict)


def latest_period(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> str:
    """The newest complete month with data, as YYYY-MM (what `report --latest` uses)."""
    today = today or dt.date.today()
    months = views.months_with_data(con)
    if not months:
        from ..errors import UsageError
        raise UsageError("数据库里还没有数据", "the store holds no data yet")
    return latest_complete_month(months, today)[0].strftime("%Y-%m")


def build(con: duckdb.DuckDBPyConnection, month: dt.date, district: str | None = None, sid: str = "default",
          today: dt.date | None = None, access: Access | None = None) -> Briefing:
    """The briefing for the scheme's period holding month, over a district (or the whole city, or all the
    reader may see when access limits it)."""
    if district is not None and access is not None and not access.allows_district(district):
        raise UsageError(f"没有查看“{district}”的权限", f"you may not see {district}")
    through = views.data_span(con)[1]
    scheme, record = in_force(con, sid, month)
    period = assessment_period(scheme.period, month, through)
    scope = Scope(period, district, today=today, access=access)
    area = district or ("全市" if access is None or access.everything else access.label())
    figures: dict = {}
    sections = [_overview(con, scope, district is not None, figures)]
    scored = {level: score(con, scope, sid, level) for level in scheme.levels}
    sections.append(_rankings(scored, figures, district is None))
    sections.append(_alerts(con, scope, sid, scheme.levels, figures))
    sections.append(_changes(con, scope, district, figures))
    sections.append(_units(con, scope, district, scored, figures))
    sections.append(_appendix(scored))
    for i, section in enumerate(sections):
        section.heading = f"{SECTION_NUMBERS[i]}、{section.heading}" if section.heading != "附表" else "附表"
    scheme_line = (f"考核方案：《{scheme.name}》第 {record['version']} 版（自 {record['effective_from']:%Y年%m月} 起执行，"
                   f"{record['saved_at']:%Y-%m-%d} 由 {record['author']} 保存）")
    issued = today or dt.date.today()
    return Briefing(f"{area}党建引领基层治理工作{'月' if period.kind == 'month' else '季'}度通报",
                    f"（{period.label()}）", issued, area, period, scheme_line, sections, figures)


def _overview(con: duckdb.DuckDBPyConnection, scope: Scope, one_district: bool, figures: dict) -> Section:
    """总体情况: one paragraph of headline figures with 环比/同比, the maturity note and a table."""
    k = views.kpis(con, scope, OVERVIEW).set_index("id")
    for mid in OVERVIEW:
        figures[mid] = k.loc[mid, "value"]
        figures[f"{mid}__change"] = k.loc[mid, "change"]
    when = f"{scope.period.start.month}月" if scope.period.kind == "month" else scope.period.label()
    lead = "全区" if one_district else ("全市" if scope.access is None or scope.access.everything else "辖区")
    parts = [f"{when}，{lead}受理诉求 {count(k.loc['cases_received', 'value'])} 件"]
    for mid in ("case_due_completion_rate", "case_ontime_rate", "case_satisfaction_rate"):
        parts.append(f"{REGISTRY[mid].zh} {number(mid, k.loc[mid, 'value'])}" + _moved(mid, k.loc[mid, "change"]))
    parts.append(f"办结时长中位数 {fmt('case_median_days', k.loc['case_median_days', 'value'])}")
    sentence = "，".join(parts[:2]) + "；" + "；".join(parts[2:]) + "。"
    second = (f"开展志愿服务 {fmt('volunteer_hours', k.loc['volunteer_hours', 'value'])}"
              f"{_moved('volunteer_hours', k.loc['volunteer_hours', 'change'])}，实现微心愿 "
              f"{fmt('wishes_fulfilled', k.loc['wishes_fulfilled', 'value'])}。")
    blocks: list = [sentence, second]
    pending = k.attrs.get("not_yet_due", 0)
    if pending:
        blocks.append(f"本期尚有 {pending:,} 件诉求未到办理期限，办结率仍在变化；考核与预警只计已到期限的诉求。")
    figures["not_yet_due"] = pending
    rows = []
    for mid in OVERVIEW:
        r = k.loc[mid]
        rows.append([REGISTRY[mid].zh, fmt(mid, r["value"]), fmt(mid, r["previous"]), change(mid, r["change"]) or "—",
                     fmt(mid, r["last_year"]), change(mid, r["yoy_change"]) or "—"])
    prev_label = scope.period.span_label(k.attrs["previous_period"])
    year_label = scope.period.span_label(k.attrs["year_period"])
    blocks.append(Table("主要指标", ["指标", scope.period.label(), prev_label, "环比", year_label, "同比"], rows))
    return Section("总体情况", blocks)


def _moved(mid: str, delta: object) -> str:
    """'，环比上升 1.3 个百分点' or '，与上期持平' or '' when there is no previous figure."""
    if missing(delta):
        return ""
    text = change(mid, abs(float(delta)))
    if text == "持平":
        return "，与上期持平"
    return f"，环比{'上升' if float(delta) > 0 else '下降'} {text.lstrip('+')}"


def _unit_name(row: dict, level: str, city: bool) -> str:
    """A unit's name; communities carry their street, units of the whole city their district."""
    name = str(row[level])
    if level == "community" and not missing(row.get("street")):
        name = f"{row['street']}·{name}"
    return f"{row['district']}·{name}" if city else name


def _rankings(scored: dict[str, Scored], figures: dict, city: bool) -> Section:
    """考核得分与红黑榜 for each level: the sentence, 红榜 and 黑榜 tables and the scores chart."""
    blocks: list = []
    for level, s in scored.items():
        word = words.LEVEL_NAMES[level][0]
        units = s.scores
        ranked = units[units["scored"]]
        figures[f"scores_{level}"] = {r["unit"]: r["score"] for r in ranked.to_dict("records")}
        if ranked.empty:
            blocks.append(f"参评{word}本期均不满足计分条件（基数不足）。")
            continue
        reasons = dict(zip(units.index, words.reasons(s)))
        blocks.append(f"参评{word} {len(units)} 个，其中 {len(ranked)} 个计分，平均 {points(ranked['score'].mean())} 分，"
                      f"最高 {points(ranked['score'].max())} 分，最低 {points(ranked['score'].min())} 分。"
                      + (f"{len(units) - len(ranked)} 个{word}因基数不足不评分。" if len(units) > len(ranked) else "")
                      + ("排名按修正后比率计分：样本少的单位向全区水平收缩，避免凭运气上榜。" if s.scheme.rank_on == "shrunk" else ""))
        for kind, title in (("red", "红榜"), ("black", "黑榜")):
            chosen = units[units["list"] == kind]
            if kind == "black":
                chosen = chosen.sort_values("rank", ascending=False, kind="stable")
            figures[f"{kind}_{level}"] = chosen["unit"].tolist()
            rows = [[str(r["rank"]), _unit_name(r, level, city), points(r["score"]), _rank_move(r),
                     reasons[i].split("：", 1)[-1]] for i, r in chosen.iterrows()]
            blocks.append(Table(f"{word}{title}", ["名次", word, "得分", "名次变化", "说明"], rows,
                                note="相同分数排名不分先后。", marks={i: kind for i in range(len(rows))}))
        chart = ranked[["unit", "score", "list"]].copy()
        blocks.append(Chart(f"各{word}考核得分", "bars", chart, reference=float(ranked["score"].mean())))
    return Section("考核得分与红黑榜", blocks)


def _rank_move(row: dict) -> str:
    """'↑2', '↓1', '—' (no change) or '新进' (not ranked before)."""
    if missing(row.get("prev_rank")):
        return "新进"
    delta = int(row["rank_change"])
    return "—" if delta == 0 else (f"↑{delta}" if delta > 0 else f"↓{-delta}")


def _alerts(con: duckdb.DuckDBPyConnection, scope: Scope, sid: str, levels: tuple[str, ...],
            figures: dict) -> Section:
    """预警: every alert in a sentence, or a line saying there is none."""
    blocks: list = []
    found = 0
    judged = None
    for level in levels:
        frame = alerts_mod.alerts(con, scope, sid, level)
        judged = frame.attrs.get("period", judged)
        figures[f"alerts_{level}"] = [(r["unit"], r["metric"], r["kind"], r["periods"]) for r in frame.to_dict("records")]
        for r in frame.to_dict("records"):
            blocks.append(words.alert_sentence(r))
            found += 1
    lead = (f"按已满期的{judged.label()}数据判断（只计已到办理期限的诉求），" if judged else "")
    blocks.insert(0, lead + (f"共 {found} 项预警：" if found else "本期没有单位触发预警。"))
    return Section("预警", blocks)


def _changes(con: duckdb.DuckDBPyConnection, scope: Scope, district: str | None, figures: dict) -> Section:
    """变化原因: the headline rate's change split by street (or district) and by category, with a waterfall."""
    blocks: list = []
    for by, name in (("street", ("街道", "streets")), ("category", ("类别", "categories"))):
        parts = changes.decompose(con, scope, CHANGE_METRIC, by)
        figures[f"change_{by}"] = (parts.attrs.get("change"), float(parts["total"].sum()) if len(parts) else None)
        blocks += words.change_sentences(parts, CHANGE_METRIC, name)
        if by == "category" and len(parts):
            blocks.append(Chart(f"{REGISTRY[CHANGE_METRIC].zh}变化分解（按类别）", "waterfall",
                                changes.waterfall(parts), metric=CHANGE_METRIC))
    return Section("变化原因", blocks)


def _units(con: duckdb.DuckDBPyConnection, scope: Scope, district: str | None, scored: dict[str, Scored],
           figures: dict) -> Section:
    """各街道情况 (or 各区县情况 for the city): one line per unit with its figures and score."""
    level = "street" if district else "district"
    keys = ["district", "street"] if district else ["district"]
    frame = compute(con, scope.query(["cases_received", "case_due_completion_rate", "case_satisfaction_rate",
                                      "volunteer_hours", "wishes_fulfilled"], keys))
    frame = frame[frame[level].notna()]
    street_scores = scored.get("street")
    lookup = {}
    if district and street_scores is not None:
        lookup = {r["street"]: r for r in street_scores.scores.to_dict("records")}
    blocks: list = []
    for r in frame.sort_values(level, kind="stable").to_dict("records"):
        s = lookup.get(r[level])
        tail = ""
        if s is not None and s["scored"]:
            tail = f"，考核得分 {points(s['score'])}（第 {s['rank']} 名）"
        blocks.append(f"{r[level]}：受理诉求 {count(r['cases_received'])} 件，应办结件办结率 "
                      f"{number('case_due_completion_rate', r['case_due_completion_rate'])}，满意率 "
                      f"{number('case_satisfaction_rate', r['case_satisfaction_rate'])}，志愿服务 "
                      f"{fmt('volunteer_hours', r['volunteer_hours'])}，实现微心愿 "
                      f"{fmt('wishes_fulfilled', r['wishes_fulfilled'])}{tail}。")
        figures[f"unit_{r[level]}"] = r["cases_received"]
    return Section("各街道情况" if district else "各区县情况", blocks)


def _appendix(scored: dict[str, Scored]) -> Section:
    """附表: every unit's score with each indicator's value, points and contribution."""
    blocks: list = []
    for level, s in scored.items():
        word = words.LEVEL_NAMES[level][0]
        inds = s.scheme.indicators
        columns = ["名次", word, "得分"] + [f"{i.name()}（得分）" for i in inds]
        rows = []
        keys = PLACE_KEYS[level]
        by_unit = {k: g for k, g in s.breakdown.groupby(keys, sort=False, dropna=False)}
        for r in s.scores.to_dict("records"):
            g = by_unit.get(tuple(r[k] for k in keys))
            cells = []
            for ind in inds:
                row = g[g["metric"] == ind.metric].iloc[0] if g is not None and (g["metric"] == ind.metric).any() else None
                if row is None or row["status"] == "none":
                    cells.append("—")
                elif row["status"] == "small":
                    cells.append(f"{number(ind.metric, row['value'])}（基数不足）")
                else:
                    cells.append(f"{number(ind.metric, row['used_value'])}（{points(row['points'])}）")
            rows.append(["—" if missing(r["rank"]) else str(r["rank"]), str(r["unit"]),
                         points(r["score"]) if r["scored"] else "不评分", *cells])
        note = ("括号内为该项得分（0–100）；比率为修正后比率。" if s.scheme.rank_on == "shrunk" else "括号内为该项得分（0–100）。")
        blocks.append(Table(f"附表：{word}考核得分明细", columns, rows, note=note))
    return Section("附表", blocks)
