"""The assessment page's parts: scores and ranks, fair 红黑榜, alerts, what changed, the scheme and its
versions, and the briefing downloads. Every figure comes from metrics.assessment via ui.data."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from metrics import briefing, worker
from metrics.assessment import versions
from metrics.assessment.scheme import INDICATOR_KEYS, SCHEME_KEYS, to_toml
from metrics.assessment.scores import Scored
from metrics.assessment.view import CHANGE_DIMENSIONS
from metrics.errors import GovdashError
from metrics.export import csv_bytes
from metrics.registry import REGISTRY
from metrics.views import Scope

from . import auth, charts, data, nav, state, widgets
from . import format as fmt
from .i18n import lang, pair, t

LEVEL_WORDS = {"street": ("街道", "Streets"), "community": ("社区", "Communities")}


def _move(row: dict) -> str:
    """Rank change as an arrow: ↑2, ↓1, — (same), 新进 (not ranked before)."""
    if fmt.missing(row.get("rank")):
        return "—"
    if fmt.missing(row.get("prev_rank")):
        return t("新进", "new")
    delta = int(row["rank_change"])
    return "—" if delta == 0 else (f"↑{delta}" if delta > 0 else f"↓{-delta}")


def _table(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """The scores as a readable table (numbers written as people read them)."""
    lists = {"red": t("红榜", "top"), "black": t("黑榜", "bottom")}
    return pd.DataFrame({
        t("名次", "Rank"): ["—" if fmt.missing(r) else str(int(r)) for r in frame["rank"]],
        t(level): frame["unit"].astype(str),
        t("得分", "Score"): [fmt.points(v) if ok else t("不评分", "not scored") for v, ok in
                           zip(frame["score"], frame["scored"])],
        t("名次变化", "Change"): [_move(r) for r in frame.to_dict("records")],
        t("榜单", "List"): [lists.get(v, "") if isinstance(v, str) else "" for v in frame["list"]],
        t("说明", "Why"): frame["reason_zh" if lang() == "zh" else "reason_en"],
    })


def scores_tab(scored: Scored, scope: Scope) -> None:
    """Scores chart, the ranked table (a row opens the unit's breakdown) and its download."""
    frame = scored.scores
    ranked = frame[frame["scored"]]
    if ranked.empty:
        st.info(t("本期没有单位满足计分条件（基数不足）。", "No unit has enough cases to be scored in this period."))
        return
    level = scored.level
    places = frame.assign(community=frame.get("community"))
    fig = charts.scores(places[places["scored"]], f"{t(level)} · {t('考核得分', 'score')}",
                        float(ranked["score"].mean()), ["district", "street", "community"])
    nav.chart(fig, f"scores_{level}", level)
    st.caption(t("相同分数排名不分先后。点选一行查看该单位的得分明细。",
                 "Equal scores share a rank. Pick a row to see the unit's breakdown."))
    event = st.dataframe(_table(frame, level), hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key=f"score_table_{level}")
    rows = getattr(getattr(event, "selection", None), "rows", None) or [0]
    unit = frame.iloc[rows[0]].to_dict()
    breakdown(scored, unit)
    record = auth.export_recorder()

    def scores_csv() -> bytes:
        record(f"scores_{level}.csv")
        return csv_bytes(_table(frame, level))

    st.download_button(t("download_csv"), scores_csv, f"scores_{level}.csv", "text/csv",
                       key=f"scores_csv_{level}", on_click="ignore", icon=":material/download:")


def breakdown(scored: Scored, unit: dict) -> None:
    """One unit's score indicator by indicator: value, evened-out value and interval, points, weight, share."""
    from metrics.assessment.view import unit_rows
    rows = unit_rows(scored, unit)
    st.markdown(f"**{widgets.plain(unit['unit'])}** · " + widgets.plain(unit["reason_zh" if lang() == "zh"
                                                                             else "reason_en"]))
    status = {"ok": t("计分", "counted"), "small": t("基数不足，不计分", "base too small"),
              "none": t("无数据", "no data")}
    table = pd.DataFrame({
        t("指标", "Indicator"): rows["label_zh" if lang() == "zh" else "label_en"],
        t("原始值", "Raw"): [fmt.fmt(m, v) for m, v in zip(rows["metric"], rows["value"])],
        t("基数", "Base"): [fmt.count(d) if not fmt.missing(d) and REGISTRY[m].num_is_count else "—"
                          for m, d in zip(rows["metric"], rows["den"])],
        t("修正值（区间）", "Shrunk (interval)"): [
            "—" if fmt.missing(s) else f"{fmt.number(m, s)}（{fmt.number(m, lo)}–{fmt.number(m, hi)}）"
            for m, s, lo, hi in zip(rows["metric"], rows["shrunk_value"], rows["low"], rows["high"])],
        t("权重", "Weight"): [f"{w:g}" for w in rows["weight"]],
        t("得分", "Points"): [fmt.points(p) for p in rows["points"]],
        t("贡献", "Contribution"): [fmt.points(c) for c in rows["contribution"]],
        t("状态", "Status"): [status[s] for s in rows["status"]],
    })
    st.dataframe(table, hide_index=True, width="stretch")


def fair_tab(scored: Scored) -> None:
    """The fair 红黑榜: each rate raw and evened out toward the district, with its interval."""
    from metrics.assessment.view import fair_rates, shrinkable
    options = shrinkable(scored)
    st.markdown(t(
        "样本少的单位（如 3 件中办结 3 件）不能凭运气登上榜首或榜尾：每个比率按经验贝叶斯（贝塔—二项）模型向全区水平收缩，"
        "件数越少收缩越多；横线为 90% 区间。",
        "A unit with few cases (3 of 3 closed) cannot top or bottom a list on luck: each rate is pulled toward the "
        "district's by an empirical-Bayes beta-binomial model, more so the fewer its cases; bars show the 90% "
        "interval."))
    if not options:
        st.info(t("本方案没有可修正的比率。", "This scheme has no rate to even out."))
        return
    metric = widgets.metric_picker(t("indicator"), options, "fair_metric", options[0])
    frame = fair_rates(scored, metric)
    if frame.empty:
        st.info(t("本期没有数据。", "No data in this period."))
        return
    nav.chart(charts.intervals(frame, metric, f"{t(scored.level)} · {fmt.title(metric)}", t("全区", "district")),
              f"fair_{metric}")
    left, right = st.columns(2)
    lists = scored.scores
    black = lists[lists["list"] == "black"].sort_values("rank", ascending=False, kind="stable")
    for where, title, part in ((left, t("红榜", "Top list"), lists[lists["list"] == "red"]),
                               (right, t("黑榜", "Bottom list"), black)):
        with where, st.container(border=True):
            st.markdown(f"**{title}**")
            for row in part.to_dict("records"):
                reason = row["reason_zh" if lang() == "zh" else "reason_en"].split("：" if lang() == "zh" else ": ", 1)[-1]
                st.markdown(f"{int(row['rank'])}\\. **{widgets.plain(row['unit'])}** {fmt.points(row['score'])} "
                            f"{t('分', 'points')} {_move(row)}  \n{widgets.plain(reason)}")
            if part.empty:
                st.caption(t("无", "none"))
    st.caption(t("相同分数排名不分先后。", "Equal scores share a rank."))


def alerts_tab(frame: pd.DataFrame, periods: int) -> None:
    """Alerts in sentences, then as a table."""
    judged = frame.attrs.get("period")
    if judged is None:
        st.info(t("还没有满期的数据可以判断预警。", "No complete period to judge alerts on yet."))
        return
    st.caption(t(f"按已满期的{judged.label('zh')}判断；连续 {periods} 期低于红线或下降才预警；只计已到办理期限的诉求。",
                 f"Judged on {judged.label('en')} (complete); an alert needs {periods} periods in a row below a red "
                 f"line or falling; only cases past their deadline count."))
    if frame.empty:
        st.success(t("没有单位触发预警。", "No unit is on an alert."))
        return
    for sentence in frame["zh" if lang() == "zh" else "en"]:
        st.markdown(f"- {widgets.plain(sentence)}")


def alerts_box(scope: Scope, sid: str = "default", most: int = 5) -> None:
    """The overview's alerts under the default scheme: a few sentences and a link to the assessment page."""
    frame = data.alert_list(scope, sid, data.scheme_for(scope, sid).levels)
    if frame.empty:
        return
    with st.container(border=True, key="alerts_box"):
        st.markdown(f"**{t('预警', 'Alerts')}** · " + t(f"{len(frame)} 项，连续两期及以上低于红线或下降",
                                                        f"{len(frame)}, below a red line or falling for periods "
                                                        f"in a row"))
        for sentence in frame["zh" if lang() == "zh" else "en"].head(most):
            st.markdown(f"- {widgets.plain(sentence)}")
        try:
            st.page_link("pages/assessment.py", label=t("查看月度考核 →", "Open the assessment →"),
                         query_params={k: v for k, v in st.query_params.items() if k in ("period", "district", "lang")})
        except StreamlitPageNotFoundError:  # a page run on its own (not through the router) links nowhere
            pass


def change_tab(scope: Scope) -> None:
    """What changed and why: a rate's change split into parts, as a waterfall and in words."""
    rates = [m for m in ("case_due_completion_rate", "case_ontime_rate", "case_satisfaction_rate",
                         "wish_fulfilment_rate") if m in REGISTRY]
    left, right = st.columns(2)
    with left:
        metric = widgets.metric_picker(t("indicator"), rates, "change_metric", rates[0])
    with right:
        by = state.page_choice(t("按", "By"), list(CHANGE_DIMENSIONS), "change_by", "category",
                               format_func=lambda d: pair((CHANGE_DIMENSIONS[d][0], CHANGE_DIMENSIONS[d][1])))
    result = data.change(scope, metric, by)
    for sentence in (result.zh if lang() == "zh" else result.en):
        st.markdown(f"- {widgets.plain(sentence)}")
    if result.parts.empty:
        return
    nav.chart(charts.waterfall(result.bars, metric, f"{fmt.title(metric)} · {t('变化分解', 'change split')}"),
              "waterfall")
    parts = result.parts
    shown = pd.DataFrame({
        pair(CHANGE_DIMENSIONS[by]): parts["part"],
        t("上期", "Before"): [fmt.number(metric, v) for v in parts["rate0"]],
        t("本期", "Now"): [fmt.number(metric, v) for v in parts["rate1"]],
        t("上期基数", "Base before"): [fmt.count(v) for v in parts["den0"]],
        t("本期基数", "Base now"): [fmt.count(v) for v in parts["den1"]],
        t("比率变化贡献", "Rate effect"): [fmt.change(metric, v) for v in parts["rate"]],
        t("结构变化贡献", "Mix effect"): [fmt.change(metric, v) for v in parts["mix"]],
        t("合计贡献", "Total"): [fmt.change(metric, v) for v in parts["total"]],
    })
    st.dataframe(shown, hide_index=True, width="stretch")


def scheme_tab(scored: Scored, sid: str) -> None:
    """The scheme in force (table and settings), its versions, and the editor that saves a new version."""
    scheme, record = scored.scheme, scored.record
    st.markdown(f"**{widgets.plain(scheme.name)}** · " + t(
        f"第 {record['version']} 版，{record['saved_at']:%Y-%m-%d %H:%M} 由 {widgets.plain(record['author'])} 保存",
        f"version {record['version']}, saved {record['saved_at']:%Y-%m-%d %H:%M} by {widgets.plain(record['author'])}"))
    if scheme.description:
        st.caption(widgets.plain(scheme.description))
    kinds = {"linear": t("线性（基准值—挑战值）", "linear (base → challenge)"), "redline": t("达标制", "pass/fail")}
    st.dataframe(pd.DataFrame({
        t("指标", "Indicator"): [i.name(lang()) for i in scheme.indicators],
        t("权重", "Weight"): [f"{i.weight:g}" for i in scheme.indicators],
        t("计分方式", "Scoring"): [kinds[i.scoring] for i in scheme.indicators],
        t("基准值", "Base"): [fmt.number(i.metric, i.base) for i in scheme.indicators],
        t("挑战值", "Challenge"): [fmt.number(i.metric, i.challenge) for i in scheme.indicators],
        t("红线", "Red line"): [fmt.number(i.metric, i.red_line) for i in scheme.indicators],
    }), hide_index=True, width="stretch")
    st.caption(t(f"基准值得 {scheme.base_points:g} 分，挑战值得 100 分，之间按比例；比率分母少于 {scheme.min_base} 的指标不计分；"
                 f"计分指标权重合计不足 {scheme.min_weight:g} 的单位不评分；红榜、黑榜各 {scheme.top_n}、{scheme.bottom_n} 名。",
                 f"The base value earns {scheme.base_points:g} points, the challenge 100, in proportion between; "
                 f"a rate on fewer than {scheme.min_base} does not count; a unit whose counted weights sum under "
                 f"{scheme.min_weight:g} is not scored; top and bottom lists of {scheme.top_n} and {scheme.bottom_n}."))
    st.subheader(t("版本记录", "Versions"))
    hist = data.scheme_history(sid)
    st.dataframe(pd.DataFrame({
        t("版本", "Version"): hist["version"], t("执行自", "In force from"): [
            t("最初", "the start") if d == versions.BEGINNING else f"{d:%Y-%m}" for d in hist["effective_from"]],
        t("保存时间", "Saved"): [f"{d:%Y-%m-%d %H:%M}" for d in hist["saved_at"]], t("保存人", "By"): hist["author"],
        t("说明", "Note"): hist["note"].fillna(""), t("改动", "Changes"): hist["changes"],
    }), hide_index=True, width="stretch")
    if state.user().can("admin"):
        editor(scored, sid)
    else:
        st.caption(t("考核方案由管理员修改。", "Administrators edit the scheme."))


def editor(scored: Scored, sid: str) -> None:
    """Edit the scheme as TOML; saving validates it and stores a new version from the chosen month on."""
    saved = st.session_state.pop("scheme_saved", None)
    if saved:
        st.success(saved)
    with st.expander(t("修改方案（保存为新版本）", "Edit the scheme (saved as a new version)"), expanded=bool(saved)):
        text = st.text_area(t("方案（TOML）", "Scheme (TOML)"), to_toml(scored.scheme), height=380, key=f"toml_{sid}")
        start = scored.period.start
        months = [f"{m:%Y-%m}" for m in (start, dt.date(start.year + (start.month // 12), start.month % 12 + 1, 1))]
        effective = st.selectbox(t("从哪个月起执行", "In force from"), months, key=f"from_{sid}",
                                 help=t("更早的月份仍按原版本计分。", "Earlier months keep their own version."))
        note = st.text_input(t("修改说明", "What changed and why"), max_chars=200, key=f"note_{sid}")
        if st.button(t("保存新版本", "Save new version"), type="primary", key=f"save_{sid}"):
            user = state.user()
            try:
                version = worker.call("scheme_save", {
                    "scheme": sid, "text": text, "effective": dt.date.fromisoformat(effective + "-01"),
                    "author": user.username, "note": note, "who": auth.who(user)}, Path(state.store_path()))
            except GovdashError as exc:
                st.error(widgets.plain(exc.line()))
                return
            state.clear_caches()
            st.session_state["scheme_saved"] = t(f"已保存第 {version} 版，自 {effective} 起执行。",
                                                 f"Saved version {version}, in force from {effective}.")
            st.rerun()
        with st.popover(t("各项设置的含义", "What each setting means")):
            rows = [(k, *v) for k, v in SCHEME_KEYS.items()] + [(f"[[indicator]] {k}", *v) for k, v in
                                                               INDICATOR_KEYS.items()]
            st.dataframe(pd.DataFrame(rows, columns=[t("键", "Key"), "中文", "English"]), hide_index=True)


def briefing_tab(scope: Scope, sid: str) -> None:
    """Download buttons for the briefing; each file is built only when its button is pressed."""
    st.markdown(t("通报按模板由数字生成：总体情况、考核得分与红黑榜、预警、变化原因、各街道情况、附表。",
                  "The briefing is written from the numbers with templates: overview, scores and lists, alerts, "
                  "what changed, each street, appendix."))

    record = auth.export_recorder()

    def make(kind: str):
        def build() -> bytes:
            doc = state.run(briefing.build, scope.period.effective_end.replace(day=1), scope.district, sid,
                            scope.today, scope.access)
            record(f"通报 {doc.area} {doc.period.label()} ({kind})")
            return briefing.renderer(kind)(doc)
        return build

    label = {"docx": "Word", "pdf": "PDF", "html": "HTML", "xlsx": "Excel"}
    name = widgets.file_stem(f"{scope.district or nav.whole_name(scope)}-{scope.period.effective_end:%Y-%m}")
    with st.container(horizontal=True, gap="small"):
        for kind in briefing.FORMATS:
            if kind == "pdf" and not _has_pdf():
                continue
            st.download_button(t(f"下载通报（{label[kind]}）", f"Briefing ({label[kind]})"), make(kind),
                               f"{name}-通报.{kind}", briefing.MEDIA_TYPES[kind], key=f"brief_{kind}",
                               on_click="ignore", icon=":material/description:")
    if not _has_pdf():
        st.caption(t("本机没有 Chromium，不能生成 PDF。", "No Chromium on this machine: PDF is not available."))


def _has_pdf() -> bool:
    """True when a Chromium browser can print the PDF."""
    from metrics.briefing.pdf import browser
    return browser() is not None
