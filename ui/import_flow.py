"""The import page's logic: uploads, a dry-run preview per file, fixes offered as controls, import, history, undo.

The page itself (pages/import_data.py) only calls `import_section` and `history_section`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, TypeVar

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from metrics.errors import Fix, GovdashError
from metrics import worker
from metrics.importer import ImportOptions, ImportResult
from metrics.importer import batches as history
from metrics.importer.batches import batch_effect
from metrics.importer.profiles import (DATE_ORDERS, duplicate_targets, list_profiles, load_named, profiles_dir,
                                       save_profile)
from metrics.importer.values import CANONICAL_WORDS
from metrics.schema import TABLES

from . import auth, state
from .i18n import t
from .widgets import plain

SKIP = "(不导入)"
REJECT_SAMPLE = 200
T = TypeVar("T")
STAGES = {"read": ("读取文件", "reading"), "mapped": ("识别列", "mapping columns"), "parsed": ("解析", "parsing"),
          "validated": ("校验", "validating"), "checked": ("检查", "checking"), "done": ("完成", "done")}
WORDS_ZH = {"open": "未办结", "closed": "已办结", "cancelled": "已撤销", "suspended": "缓办/挂起", "claimed": "已认领",
            "fulfilled": "已实现", "satisfied": "满意", "basic": "基本满意", "neutral": "一般", "dissatisfied": "不满意"}


@dataclass(frozen=True)
class Upload:
    """One uploaded file: name, bytes, the stem of its widget keys and the id of this upload."""

    name: str
    data: bytes
    key: str
    upload_id: str


def table_title(name: str) -> str:
    """A table shown by its Chinese name and its id."""
    return t(f"{TABLES[name].zh}（{name}）", f"{TABLES[name].en} ({name})")


def column_title(table: str, column: str) -> str:
    """A canonical column (or the skip option) shown by its Chinese name and its id."""
    if column == SKIP:
        return t("（不导入）", "(not imported)")
    return f"{TABLES[table].column(column).zh} · {column}"


def flash(key: str, kind: str, text: str) -> None:
    """Keep a message to show once after the coming rerun."""
    st.session_state.setdefault("imp_flash", {}).setdefault(key, []).append((kind, text))


def show_flash(key: str) -> None:
    """Show and forget the messages kept under key."""
    for kind, text in st.session_state.get("imp_flash", {}).pop(key, []):
        getattr(st, kind)(plain(text))


def data_changed() -> None:
    """After an import or undo: drop cached views and rerun."""
    state.clear_caches()
    st.rerun()


def work(action: str, up: Upload | None, payload: dict, progress: Callable[[float, str], None] | None = None
         ) -> object:
    """Run an action in the worker process (limited in memory and time) for the signed-in user."""
    user = state.user()
    payload = {**payload, "who": auth.who(user), "access": user.access}
    if up is not None:
        payload["name"] = up.name
    return worker.call(action, payload, Path(state.store_path()), progress=progress,
                       data=up.data if up is not None else None)


def kept(slot: str, up: Upload, signature: tuple, compute: Callable[[], T]) -> T | GovdashError:
    """compute() for this file, kept in session state until the signature changes; errors are returned."""
    name = f"imp_keep_{slot}_{up.key}"
    signature = (up.upload_id, *signature)
    held = st.session_state.get(name)
    if held and held[0] == signature:
        return held[1]
    try:
        outcome = compute()
    except GovdashError as exc:
        outcome = GovdashError(exc.zh, exc.en, exc.where, exc.fix)  # a copy without the traceback
    st.session_state[name] = (signature, outcome)
    return outcome


def dry_run(up: Upload, options: ImportOptions, version: tuple) -> ImportResult | GovdashError:
    """The dry-run result for these options, recomputed only when the options or the data change."""
    return kept("dry", up, (options.signature(), version), lambda: work(
        "preview", up, {"options": options, "reject_sample": REJECT_SAMPLE}))


def headers_of(up: Upload, sheet: str | None) -> list[str] | GovdashError:
    """The file's header cells, for mapping a file whose columns were not recognised."""
    return kept("headers", up, (sheet,), lambda: work("headers", up, {"sheet": sheet}))


def commit(up: Upload, options: ImportOptions) -> tuple[str, str]:
    """Import one file for real with a progress bar; return the message (kind, text) to show."""
    bar = st.progress(0.0, text=up.name)

    def step(fraction: float, stage: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{up.name} · {t(*STAGES.get(stage, (stage, stage)))}")

    try:
        r = work("import", up, {"options": options, "reject_sample": REJECT_SAMPLE}, progress=step)
    except GovdashError as exc:
        return "error", exc.line()
    if r.skipped_as_batch is not None:
        return "info", r.message
    if not r.committed:
        return "warning", r.message
    return "success", t(
        f"已导入 {up.name}：批次 {r.batch_id}，读取 {r.rows_read} 行，新增或更新 {r.rows_loaded} 行，"
        f"不合格 {r.rows_rejected} 行，文件内重复 {r.rows_duplicate} 行，未变化 {r.rows_unchanged} 行。",
        f"Imported {up.name} as batch {r.batch_id}: {r.rows_read} read, {r.rows_loaded} added or updated, "
        f"{r.rows_rejected} rejected, {r.rows_duplicate} duplicate, {r.rows_unchanged} unchanged.")


# ---------------------------------------------------------------- options kept per file

def options_of(up: Upload) -> ImportOptions:
    """The options chosen so far for this file."""
    return st.session_state.setdefault(f"imp_opt_{up.key}", ImportOptions())


def set_options(up: Upload, options: ImportOptions) -> None:
    """Keep new options for this file and rerun."""
    st.session_state[f"imp_opt_{up.key}"] = options
    st.rerun()


def mapping_editor(up: Upload, table: str, headers: list[str], result: ImportResult | None,
                   prefill: dict[str, str], reset: str) -> dict[str, str]:
    """Editable header → column table (with the recognition's confidence); returns the chosen pairs."""
    sure = {m.header: m.score for m in (result.columns if result else [])}
    frame = pd.DataFrame({"header": headers, "column": [prefill.get(h) or SKIP for h in headers],
                          "confidence": [f"{sure[h]:.0%}" if h in sure else "" for h in headers]})
    edited = st.data_editor(
        frame, key=f"imp_ed_{up.key}_{reset}", hide_index=True, num_rows="fixed", disabled=["header", "confidence"],
        column_config={
            "header": st.column_config.TextColumn(t("文件表头", "File header")),
            "column": st.column_config.SelectboxColumn(
                t("导入到", "Import as"), options=[SKIP, *TABLES[table].names], required=True,
                format_func=lambda c: column_title(table, c)),
            "confidence": st.column_config.TextColumn(t("识别把握", "Confidence"),
                                                      help=t("按列名的含义识别的把握；手工指定的为 100%。",
                                                                 "How sure the recognition by meaning is; 100% when "
                                                                 "chosen by hand.")),
        })
    # A header set to (不导入) is passed as an explicit skip, so a recognised name is not mapped anyway.
    return {h: (c if isinstance(c, str) and c != SKIP else "") for h, c in zip(edited["header"], edited["column"])}


def fix_control(up: Upload, fix: Fix | None, options: ImportOptions) -> None:
    """The control that answers what a failed dry run asks: table, date order, words, a constant or a sheet."""
    if fix is None:
        return
    key = f"imp_fix_{up.key}"
    if fix.kind == "table" and fix.choices:
        picked = st.radio(t("这个文件是：", "This file holds:"), [""] + list(fix.choices), key=f"{key}_table",
                          horizontal=True, format_func=lambda name: table_title(name) if name else t("（请选择）", "(pick)"))
        if picked:
            set_options(up, replace(options, table=picked))
    elif fix.kind == "date_order":
        if fix.examples:
            st.caption(t("例：", "e.g. ") + "、".join(plain(e) for e in fix.examples))
        picked = st.radio(t(f"“{plain(fix.header)}”的日期顺序", f"Date order of “{plain(fix.header)}”"),
                          ["", *fix.choices, *(["ymd"] if "ymd" not in fix.choices else [])], key=f"{key}_order",
                          horizontal=True,
                          format_func=lambda o: t(*DATE_ORDERS[o]) if o else t("（请选择）", "(pick)"))
        if picked:
            set_options(up, replace(options, date_order=picked))
    elif fix.kind == "value" and fix.column:
        value_editor(up, fix, options)
    elif fix.kind == "set" and fix.column:
        constant_control(up, fix.column, options)
    elif fix.kind == "sheet" and fix.choices:
        picked = st.selectbox(t("工作表", "Sheet"), ["", *fix.choices], key=f"{key}_sheet")
        if picked:
            set_options(up, replace(options, sheet=picked))


def value_editor(up: Upload, fix: Fix, options: ImportOptions) -> None:
    """A table of unknown words with their counts, each mapped to a canonical word."""
    table = options.table or "cases"
    allowed = CANONICAL_WORDS.get(fix.column or "", {}).get(table) or ("open", "closed", "cancelled", "suspended")
    frame = pd.DataFrame({"word": list(fix.choices), "rows": list(fix.counts) or [0] * len(fix.choices),
                          "meaning": [None] * len(fix.choices)})
    edited = st.data_editor(frame, key=f"imp_fix_{up.key}_words", hide_index=True, num_rows="fixed",
                            disabled=["word", "rows"], column_config={
                                "word": st.column_config.TextColumn(t("文件中的词", "Word in the file")),
                                "rows": st.column_config.NumberColumn(t("行数", "Rows")),
                                "meaning": st.column_config.SelectboxColumn(
                                    t("表示", "Means"), options=list(allowed),
                                    format_func=lambda w: t(WORDS_ZH.get(w, w), w))})
    chosen = {w: m for w, m in zip(edited["word"], edited["meaning"]) if isinstance(m, str) and m}
    if chosen and st.button(t("按这些含义重新预览", "Preview again with these meanings"),
                            key=f"imp_fix_{up.key}_apply"):
        values = {k: dict(v) for k, v in options.values.items()}
        values.setdefault(fix.column, {}).update(chosen)
        set_options(up, replace(options, values=values))


def constant_control(up: Upload, column: str, options: ImportOptions) -> None:
    """A choice of one value for a column in every row that has none (district from the known ones)."""
    known = state.places()
    choices = sorted({v for v in known[column].dropna()}) if column in known.columns else []
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    zh = TABLES["cases"].column(column).zh if column in TABLES["cases"].names else column
    if choices:
        value = left.selectbox(t(f"为整个文件指定{zh}", f"Give the whole file a {column}"), ["", *choices],
                               key=f"imp_set_{up.key}_{column}", format_func=lambda v: v or t("（请选择）", "(pick)"))
    else:
        value = left.text_input(t(f"为整个文件指定{zh}", f"Give the whole file a {column}"),
                                key=f"imp_set_{up.key}_{column}")
    if right.button(t("应用", "Apply"), key=f"imp_set_{up.key}_{column}_go") and value:
        set_options(up, replace(options, set_values={**options.set_values, column: value}))


def show_result(up: Upload, r: ImportResult) -> None:
    """Counts, dates, warnings and rejected cells of a dry run."""
    sheet = t(f" · 工作表“{plain(r.sheet)}”", f" · sheet “{plain(r.sheet)}”") if r.sheet else ""
    st.caption(t(f"识别为 {table_title(r.table)} · 格式 {r.file_format} · 编码 {r.encoding} · "
                     f"表头在第 {r.header_line} 行{sheet}",
                     f"Table {table_title(r.table)} · format {r.file_format} · encoding {r.encoding} · "
                     f"header on line {r.header_line}{sheet}"))
    counts = [(t("读取行数", "Rows read"), r.rows_read),
              (t("可导入（新增或更新）", "Loadable (new or changed)"), r.rows_loaded),
              (t("不合格", "Rejected"), r.rows_rejected),
              (t("文件内重复", "Duplicate in file"), r.rows_duplicate),
              (t("与库中相同", "Unchanged"), r.rows_unchanged)]
    for col, (name, value) in zip(st.columns(len(counts)), counts):
        col.metric(name, f"{value:,}")
    if len(r.sheets) > 1:
        picked = st.selectbox(t("工作表", "Sheet"), r.sheets, index=r.sheets.index(r.sheet),
                              key=f"imp_sheet_{up.key}_{r.sheet}")
        if picked != r.sheet:
            set_options(up, replace(options_of(up), sheet=picked))
    if r.dates:
        st.markdown(f"**{t('日期格式', 'Date formats')}**")
        st.caption("  \n".join(plain(d.line()) for d in r.dates))
    if r.unmapped:
        st.caption(t("未导入的列：", "Columns not imported: ") + "、".join(plain(h) for h in r.unmapped[:30]))
    for warning in r.warnings:
        st.warning(plain(warning))
    if r.no_district and "district" not in r.mapping.values():
        constant_control(up, "district", options_of(up))
    if r.rejects:
        st.markdown(f"**{t('不合格的行', 'Rejected rows')}**")
        st.caption(t(f"共 {r.rows_rejected} 行不合格，不会导入；下表列出前 {len(r.rejects)} 处问题。",
                         f"{r.rows_rejected} rows are rejected and will not be imported; "
                         f"the first {len(r.rejects)} problems are listed."))
        st.dataframe(reject_frame(pd.DataFrame(r.rejects, columns=list(history.REJECT_COLUMNS))),
                     hide_index=True, width="stretch")


def reject_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Rejected cells with headers in the current language."""
    return frame.rename(columns={"line": t("行号", "Line"), "column_name": t("列", "Column"),
                                 "value": t("值", "Value"), "reason": t("原因", "Reason")})


def profile_saver(up: Upload, options: ImportOptions) -> None:
    """Text box and button that save the current options as a named profile."""
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    name = left.text_input(t("保存为映射方案（名称）", "Save as a profile (name)"),
                           key=f"imp_pname_{up.key}", placeholder=t("如：12345热线", "e.g. hotline"))
    if right.button(t("保存方案", "Save profile"), key=f"imp_psave_{up.key}"):
        try:
            path = save_profile(profiles_dir(state.store_path()), name, options)
        except GovdashError as exc:
            st.error(plain(exc.line()))
        else:
            flash(up.key, "success", t(f"已保存映射方案“{path.stem}”", f"Saved profile “{path.stem}”"))
            st.rerun()


def _start_options(up: Upload) -> ImportOptions | None:
    """Options from the table and profile pickers on top of the file's kept options (None on a bad profile)."""
    left, right = st.columns(2)
    kept_opts = options_of(up)
    table = left.selectbox(t("数据类型（目标表）", "Kind of data (table)"), ["", *TABLES], key=f"imp_table_{up.key}",
                           format_func=lambda v: table_title(v) if v else t("自动识别", "Recognise automatically"))
    profile = right.selectbox(t("套用映射方案", "Apply a saved profile"),
                              ["", *list_profiles(profiles_dir(state.store_path()))], key=f"imp_prof_{up.key}",
                              format_func=lambda v: v or t("（不套用）", "(none)"))
    start = ImportOptions()
    if profile:
        try:
            start = load_named(profiles_dir(state.store_path()), profile)
        except GovdashError as exc:
            st.error(plain(exc.line()))
            return None
    options = start.merged(kept_opts)
    return replace(options, table=table or options.table or None)


def file_section(up: Upload, version: tuple) -> ImportOptions | None:
    """Preview, fixes, mapping and profile controls of one file; returns the options when it can be imported."""
    st.subheader(plain(up.name))
    show_flash(up.key)
    options = _start_options(up)
    if options is None:
        return None
    result = dry_run(up, options, version)
    by_hand = isinstance(result, GovdashError) and result.fix is not None and result.fix.kind == "map"
    if isinstance(result, GovdashError) and not (by_hand and options.table):
        st.error(plain(result.line()))
        fix_control(up, result.fix, options)
        if by_hand:
            st.info(t("请先选择数据类型，再在列映射表中指定各列。",
                          "Pick the kind of data, then map the columns in the table that appears."))
        return None
    if isinstance(result, GovdashError):
        headers = headers_of(up, options.sheet)
        if isinstance(headers, GovdashError):
            st.error(plain(headers.line()))
            return None
        table, prefill, shown = options.table, {h: c for h, c in options.columns.items() if h in headers and c}, None
    else:
        table, headers, prefill, shown = result.table, result.headers, result.mapping, result
    st.markdown(f"**{t('列映射', 'Column mapping')}**")
    chosen = mapping_editor(up, table, headers, shown, prefill, f"{options.table}|{options.sheet}")
    twice = duplicate_targets(chosen)
    if twice:
        st.error(t(f"同一列被选了多次：{'、'.join(plain(x) for x in twice)}；每个目标列只能对应一个表头。",
                       f"Columns chosen more than once: {', '.join(plain(x) for x in twice)}; map each to one header only."))
        return None
    if {h: c for h, c in chosen.items() if c} != prefill:
        options = replace(options, table=table, columns=chosen)
        result = dry_run(up, options, version)
    if isinstance(result, GovdashError):
        st.error(plain(result.line()))
        fix_control(up, result.fix, options)
        return None
    show_result(up, result)
    options = replace(options, table=result.table, columns={**result.mapping, **{h: "" for h, c in chosen.items()
                                                                                  if not c and h in result.headers}})
    profile_saver(up, options)
    return options


def uploads(files: list) -> list[Upload]:
    """The uploaded files as Uploads keyed by name and size (a counter keeps equal keys apart)."""
    out: list[Upload] = []
    seen: dict[str, int] = {}
    for f in files:
        key = f"{f.name}|{f.size}"
        seen[key] = seen.get(key, 0) + 1
        out.append(Upload(f.name, f.getvalue(), key if seen[key] == 1 else f"{key}|{seen[key]}", f.file_id))
    return out


def forget_other_files(keys: set[str]) -> None:
    """Drop kept dry runs, headers and options of files that are no longer uploaded."""
    for name in [k for k in st.session_state if str(k).startswith(("imp_keep_", "imp_opt_"))]:
        rest = str(name).split("_", 3)[3] if str(name).startswith("imp_keep_") else str(name)[len("imp_opt_"):]
        if rest not in keys:
            del st.session_state[name]


def import_section() -> None:
    """Uploader, one section per file, and the import buttons."""
    try:
        files = st.file_uploader(t("上传导出文件（CSV 或 Excel .xlsx，可多选）",
                                   "Upload exports (CSV or Excel .xlsx, several at once)"),
                                 type=["csv", "xlsx"], accept_multiple_files=True, key="imp_files")
    except StreamlitAPIException:
        st.error(t("只能上传 CSV 或 Excel（.xlsx）文件；旧版 .xls 请在 Excel 中另存为 .xlsx。",
                   "Only CSV and Excel (.xlsx) files can be uploaded; save an old .xls as .xlsx in Excel."))
        return
    ups = uploads(files or [])
    forget_other_files({u.key for u in ups})
    version = state.version()
    ready: list[tuple[Upload, ImportOptions]] = []
    for up in ups:
        with st.container(border=True):
            options = file_section(up, version)
            if options is None:
                continue
            ready.append((up, options))
            if st.button(t("导入此文件", "Import this file"), key=f"imp_go_{up.key}", type="primary"):
                flash(up.key, *commit(up, options))
                data_changed()
    if len(ready) > 1 and st.button(t(f"全部导入（{len(ready)} 个文件）", f"Import all ({len(ready)} files)"),
                                    key="imp_go_all", type="primary"):
        for up, options in ready:
            flash(up.key, *commit(up, options))
        data_changed()


def history_section() -> None:
    """Import batches, undo with confirmation, and the stored rejects of a batch."""
    st.header(t("导入历史", "Import history"))
    show_flash("history")
    frame = state.run(lambda cur: history.visible(history.batches(cur), cur, state.access()))
    if frame.empty:
        st.info(t("还没有导入批次。", "No imports yet."))
        return
    shown = frame.assign(
        table_name=[table_title(n) if n in TABLES else n for n in frame["table_name"]],
        status=[t("有效", "active") if s == "active" else t("已撤销", "undone") for s in frame["status"]])
    names = {"id": t("批次", "Batch"), "imported_at": t("导入时间", "Time"), "file_name": t("文件", "File"),
             "table_name": t("表", "Table"), "encoding": t("编码", "Encoding"),
             "rows_read": t("读取", "Read"), "rows_loaded": t("导入", "Loaded"),
             "rows_rejected": t("不合格", "Rejected"), "rows_duplicate": t("重复", "Duplicate"),
             "rows_unchanged": t("未变", "Unchanged"), "status": t("状态", "Status")}
    # Batch and status first and the file name held to a medium width, so a long name never pushes the status
    # off a phone's screen.
    order = ["id", "status", "file_name", "imported_at", "table_name", "rows_loaded", "rows_rejected", "rows_read",
             "rows_duplicate", "rows_unchanged", "encoding"]
    shown = shown[[c for c in order if c in shown.columns] + [c for c in shown.columns if c not in order]]
    st.dataframe(shown.rename(columns=names), hide_index=True, width="stretch",
                 column_config={names["file_name"]: st.column_config.TextColumn(width="medium")})
    undo_section(frame)
    # Keys carry the data version so the picker is redrawn (newest batch first) after every change.
    stamp = "_".join(str(v) for v in state.version())
    picked = st.selectbox(t("查看批次的不合格行", "Rejected rows of batch"), list(frame["id"]),
                          key=f"imp_rej_id_{stamp}", format_func=lambda b: f"{b} · {files_of(frame).get(b, '')}")
    total = state.run(history.reject_count, picked)
    if total:
        st.caption(t(f"批次 {picked} 共记录 {total} 处问题。", f"Batch {picked} has {total} problems recorded."))
        st.dataframe(reject_frame(state.run(history.rejects, picked)), hide_index=True, width="stretch")
    else:
        st.caption(t(f"批次 {picked} 没有不合格行。", f"Batch {picked} has no rejected rows."))


def undo_section(frame: pd.DataFrame) -> None:
    """Pick a batch, see what undoing it removes and restores, then confirm."""
    active = [b for b in state.run(history.active_ids) if b in set(frame["id"])]
    stamp = "_".join(str(v) for v in state.version())
    if not active:
        st.caption(t("没有可撤销的批次。", "No batch can be undone."))
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    batch = left.selectbox(t("撤销批次", "Undo batch"), active, key=f"imp_undo_id_{stamp}",
                           format_func=lambda b: f"{b} · {files_of(frame).get(b, '')}")
    if right.button(t("撤销…", "Undo…"), key="imp_undo"):
        st.session_state["imp_undo_ask"] = batch
    if st.session_state.get("imp_undo_ask") != batch:
        return
    effect = state.run(batch_effect, batch)
    with st.container(border=True):
        st.warning(t(
            f"撤销批次 {batch}（{plain(effect['file_name'])}）将删除它导入的 {effect['removed']:,} 行，"
            f"并恢复被它替换的 {effect['restored']:,} 行旧数据。此操作会改变所有页面的数字。",
            f"Undoing batch {batch} ({plain(effect['file_name'])}) removes the {effect['removed']:,} rows it imported and "
            f"restores the {effect['restored']:,} older rows it replaced. Every page's figures will change."))
        yes, no, _ = st.columns([1, 1, 3])
        if yes.button(t("确认撤销", "Yes, undo"), key="imp_undo_yes", type="primary"):
            st.session_state.pop("imp_undo_ask", None)
            try:
                counts = work("undo", None, {"batch": batch})
            except GovdashError as exc:
                flash("history", "error", exc.line())
            else:
                flash("history", "success", t(
                    f"已撤销批次 {batch}：删除 {counts['removed']} 行，恢复 {counts['restored']} 行。",
                    f"Batch {batch} undone: {counts['removed']} rows removed, {counts['restored']} restored."))
            data_changed()
        if no.button(t("取消", "Cancel"), key="imp_undo_no"):
            st.session_state.pop("imp_undo_ask", None)
            st.rerun()


def files_of(frame: pd.DataFrame) -> dict[int, str]:
    """Batch id → file name."""
    return dict(zip(frame["id"], frame["file_name"]))
