"""Interface text in Chinese (default) and English: one function, `t`.

`t("key")` looks a text up in TEXT; `t("中文", "English")` picks one of a pair (registry labels, one-off
sentences). Both take format arguments.
"""
from __future__ import annotations

import streamlit as st

TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("治理绩效看板", "Governance performance"),
    "language": ("语言 Language", "语言 Language"),
    "period": ("统计期间", "Period"),
    "period_kind": ("期间类型", "Period type"),
    "month": ("月", "Month"), "quarter": ("季度", "Quarter"), "year": ("年", "Year"), "custom": ("自定义", "Custom"),
    "date_range": ("起止日期", "Date range"),
    "scope": ("范围", "Scope"),
    "district": ("区县", "District"), "street": ("街道", "Street"), "community": ("社区", "Community"),
    "brand": ("党建品牌", "Brand"), "all": ("全部", "All"), "city": ("全市", "All districts"),
    "overview": ("总览", "Overview"), "district_view": ("区/街道", "District"),
    "community_view": ("社区", "Community"), "brands": ("品牌对比", "Brands"),
    "import": ("数据导入", "Import"), "dictionary": ("指标说明", "Metric dictionary"),
    "assessment": ("月度考核", "Assessment"),
    "admin": ("账户与审计", "Accounts & audit"),
    "no_data": ("本期没有数据。有数据的期间：{first} 至 {last}。请在左侧改选期间。",
                "No data in this period. Data covers {first} to {last}; pick another period on the left."),
    "empty_store": ("数据库里还没有数据。请到“数据导入”页上传导出文件。",
                    "The store is empty. Upload exports on the Import page."),
    "busy": ("数据库暂时被占用（可能正在导入），请稍后刷新。",
             "The store is busy (perhaps an import is running); refresh shortly."),
    "vs_prev": ("环比", "vs previous"), "vs_year": ("同比", "vs last year"),
    "download_csv": ("下载 CSV", "Download CSV"), "download_xlsx": ("下载 Excel", "Download Excel"),
    "indicator": ("指标", "Indicator"), "level": ("排名层级", "Rank by"),
    "rank": ("排名", "Rank"), "value": ("数值", "Value"), "change": ("环比变化", "Change vs previous"),
    "small_base": ("样本少，不参与排名", "small base, not ranked"),
    "trend": ("月度趋势", "Monthly trend"), "ranking": ("排名", "Ranking"),
    "hierarchy": ("区—街道—社区 分布", "District → street → community"),
    "below": ("低于红线的社区", "Communities below a red line"),
    "none_below": ("本期没有社区低于红线。", "No community is below a red line in this period."),
    "threshold": ("红线", "Red line"), "gap": ("差距", "Gap"),
    "top_n": ("红榜（前 {n}）", "Top {n}"), "bottom_n": ("黑榜（后 {n}）", "Bottom {n}"),
    "pick_district": ("请在左侧选择一个区县。", "Pick a district on the left."),
    "pick_community": ("请在左侧选择一个社区。", "Pick a community on the left."),
    "units_side_by_side": ("街道与社区对比", "Streets and communities side by side"),
    "by_category": ("按事件类型", "By category"), "by_channel": ("按来源渠道", "By channel"),
    "by_handler": ("按承办单位", "By handling unit"),
    "handlers": ("承办单位办结与按期情况", "Handling units: completion and on-time"),
    "teams": ("志愿服务队时长", "Volunteer hours by team"),
    "profile": ("社区概况", "Profile"), "brand_method": ("品牌工作法", "Method"),
    "population": ("常住人口", "Residents"), "households": ("户数", "Households"),
    "party_members": ("党员", "Party members"), "grids": ("网格", "Grids"), "grid_workers": ("网格员", "Grid workers"),
    "not_registered": ("该社区不在社区档案中（无人口、品牌信息）。", "Not in the community register (no population or brand)."),
    "all_indicators": ("全部指标与同区排名", "Every indicator and its rank in the district"),
    "peers": ("同区社区数", "Peers"), "wish_funnel": ("微心愿 征集 → 认领 → 实现", "Wishes: collected → claimed → fulfilled"),
    "why": ("为什么：办结情况按事件类型与承办单位", "Why: completion by category and handling unit"),
    "pick_units": ("选择 2–6 个社区（品牌）", "Pick 2–6 communities (brands)"),
    "pick_metrics": ("对比指标", "Indicators"),
    "choose": ("请选择", "Choose"),
    "radar": ("标准化雷达图（0–1，以全部社区最小—最大为尺）", "Normalised radar (0–1 against all communities' range)"),
    "need_two": ("请至少选择 2 个社区。", "Pick at least 2 communities."),
    "fairness": ("只比较比率、每千人和时长类指标，大小社区可比；“全区”为该区整体口径。",
                 "Only rates, per-1,000 and duration indicators, so large and small communities compare; "
                 "the district row is the whole district."),
    "maturing": ("{period}尚有 {n} 件诉求未到办理期限，办结率仍在变化；评比与红线看“应办结件办结率”。",
                 "{n} cases of {period} are still inside their deadline, so the completion rate is still "
                 "changing; rankings and red lines use the completion rate of cases due."),
    "partial": ("{period}的数据截至 {through}；环比对照 {prev}，同比对照 {yoy}。",
                "{period} has data up to {through}; compared with {prev} (previous) and {yoy} (a year before)."),
    "compared": ("环比对照 {prev}，同比对照 {yoy}。", "Compared with {prev} (previous) and {yoy} (a year before)."),
    "open_unit": ("点击柱条或表格中的一行，打开该街道或社区。", "Click a bar or a table row to open that street or community."),
    "level_even": ("持平", "no change"),
}


def lang() -> str:
    """The current language code: zh or en."""
    return "en" if st.session_state.get("lang") == "English" else "zh"


def t(text: str, en: str | None = None, **fmt: object) -> str:
    """Interface text in the current language: a key of TEXT, or a (Chinese, English) pair."""
    zh, other = (text, en) if en is not None else TEXT[text]
    chosen = other if lang() == "en" else zh
    return chosen.format(**fmt) if fmt else chosen


def pair(names: tuple[str, str]) -> str:
    """One of a (Chinese, English) tuple from the registry, in the current language."""
    return t(names[0], names[1])
