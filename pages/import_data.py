"""数据导入 Import: upload exports, preview them in a dry run, adjust the column mapping, import, undo."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from metrics import history
from metrics.errors import GovdashError
from metrics.ingest import ImportResult, import_bytes, undo_batch
from metrics.mapping import Mapping
from metrics.profiles import (duplicate_targets, file_headers, list_profiles, load_named, profiles_dir,
                              save_profile)
from metrics.schema import TABLES
from ui import state
from ui.widgets import plain
from ui.i18n import label, t

SKIP = "(不导入)"
REJECT_SAMPLE = 200
T = TypeVar("T")
STAGES = {"read": ("读取文件", "reading"), "mapped": ("识别列", "mapping columns"),
          "validated": ("校验", "validating"), "checked": ("检查", "checking"), "done": ("完成", "done")}


@dataclass(frozen=True)
class Upload:
    """One uploaded file: name, bytes, the stem of its widget keys and the id of this upload."""

    name: str
    data: bytes
    key: str
    upload_id: str


def table_title(name: str) -> str:
    """A table shown by its Chinese name and its id."""
    return label(f"{TABLES[name].zh}（{name}）", f"{name} ({TABLES[name].zh})")


def column_title(table: str, column: str) -> str:
    """A canonical column (or the skip option) shown by its Chinese name and its id."""
    if column == SKIP:
        return label("（不导入）", "(not imported)")
    return f"{TABLES[table].column(column).zh} · {column}"


def flash(key: str, kind: str, text: str) -> None:
    """Keep a message to show once after the coming rerun."""
    st.session_state.setdefault("imp_flash", {}).setdefault(key, []).append((kind, text))


def show_flash(key: str) -> None:
    """Show and forget the messages kept under key."""
    for kind, text in st.session_state.get("imp_flash", {}).pop(key, []):
        getattr(st, kind)(text)


def data_changed() -> None:
    """After an import or undo: drop cached views and rerun."""
    state.clear_caches()
    st.rerun()


def kept(slot: str, up: Upload, signature: tuple, compute: Callable[[duckdb.DuckDBPyConnection], T]
         ) -> T | GovdashError:
    """compute(cursor) for this file, kept in session state until the signature changes; errors are returned."""
    name = f"imp_keep_{slot}_{up.key}"
    signature = (up.upload_id, *signature)
    held = st.session_state.get(name)
    if held and held[0] == signature:
        return held[1]
    try:
        outcome = state.run(compute)
    except GovdashError as exc:
        outcome = GovdashError(exc.zh, exc.en, exc.where)  # a copy without the traceback, which holds the bytes
    st.session_state[name] = (signature, outcome)
    return outcome


def dry_run(up: Upload, table: str | None, mapping: Mapping, slot: str,
            version: tuple) -> ImportResult | GovdashError:
    """The dry-run result for these choices, recomputed only when the choices or the data change."""
    return kept(slot, up, (table, mapping.to_json(), version), lambda cur: import_bytes(
        cur, up.data, up.name, table=table, mapping=mapping, dry_run=True, reject_sample=REJECT_SAMPLE))


def headers_of(up: Upload, table: str | None, mapping: Mapping) -> list[str] | GovdashError:
    """The file's header cells, for mapping a file whose columns were not recognised."""
    return kept("headers", up, (table, mapping.to_json()),
                lambda cur: file_headers(cur, up.data, up.name, mapping, table))


def commit(up: Upload, table: str, mapping: Mapping) -> tuple[str, str]:
    """Import one file for real with a progress bar; return the message (kind, text) to show."""
    bar = st.progress(0.0, text=up.name)

    def step(fraction: float, stage: str) -> None:
        bar.progress(fraction, text=f"{up.name} · {label(*STAGES.get(stage, (stage, stage)))}")

    cur = state.cursor()
    try:
        r = import_bytes(cur, up.data, up.name, table=table, mapping=mapping, dry_run=False,
                         store_path=Path(state.store_path()), reject_sample=REJECT_SAMPLE, progress=step)
    except GovdashError as exc:
        return "error", exc.line()
    finally:
        cur.close()
    if r.skipped_as_batch is not None:
        return "info", r.message
    if not r.committed:
        return "warning", r.message
    return "success", label(
        f"已导入 {up.name}：批次 {r.batch_id}，读取 {r.rows_read} 行，新增或更新 {r.rows_loaded} 行，"
        f"不合格 {r.rows_rejected} 行，文件内重复 {r.rows_duplicate} 行，未变化 {r.rows_unchanged} 行。",
        f"Imported {up.name} as batch {r.batch_id}: {r.rows_read} read, {r.rows_loaded} added or updated, "
        f"{r.rows_rejected} rejected, {r.rows_duplicate} duplicate, {r.rows_unchanged} unchanged.")


def mapping_editor(up: Upload, table: str, headers: list[str], prefill: dict[str, str], reset: str
                   ) -> dict[str, str]:
    """Editable header → column table pre-filled with prefill; returns the chosen pairs."""
    frame = pd.DataFrame({"header": headers, "column": [prefill.get(h, SKIP) for h in headers]})
    edited = st.data_editor(
        frame, key=f"imp_ed_{up.key}_{reset}", hide_index=True, num_rows="fixed", disabled=["header"],
        column_config={
            "header": st.column_config.TextColumn(label("文件表头", "File header")),
            "column": st.column_config.SelectboxColumn(
                label("导入到", "Import as"), options=[SKIP, *TABLES[table].names], required=True,
                format_func=lambda c: column_title(table, c)),
        })
    # A header set to (不导入) is passed as an explicit skip, so a recognised name is not mapped anyway.
    return {h: (c if isinstance(c, str) and c != SKIP else "") for h, c in zip(edited["header"], edited["column"])}


def show_result(r: ImportResult) -> None:
    """Counts, warnings and rejected cells of a dry run."""
    st.caption(label(f"识别为 {table_title(r.table)} · 格式 {r.file_format} · 编码 {r.encoding} · "
                     f"表头在第 {r.header_line} 行",
                     f"Table {table_title(r.table)} · format {r.file_format} · encoding {r.encoding} · "
                     f"header on line {r.header_line}"))
    counts = [(label("读取行数", "Rows read"), r.rows_read),
              (label("可导入（新增或更新）", "Loadable (new or changed)"), r.rows_loaded),
              (label("不合格", "Rejected"), r.rows_rejected),
              (label("文件内重复", "Duplicate in file"), r.rows_duplicate),
              (label("与库中相同", "Unchanged"), r.rows_unchanged)]
    for col, (name, value) in zip(st.columns(len(counts)), counts):
        col.metric(name, f"{value:,}")
    for warning in r.warnings:
        st.warning(warning)
    if r.rejects:
        st.markdown(f"**{label('不合格的行', 'Rejected rows')}**")
        st.caption(label(f"共 {r.rows_rejected} 行不合格，不会导入；下表列出前 {len(r.rejects)} 处问题。",
                         f"{r.rows_rejected} rows are rejected and will not be imported; "
                         f"the first {len(r.rejects)} problems are listed."))
        st.dataframe(reject_frame(pd.DataFrame(r.rejects, columns=list(history.REJECT_COLUMNS))),
                     hide_index=True, width="stretch")


def reject_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Rejected cells with headers in the current language."""
    return frame.rename(columns={"line": label("行号", "Line"), "column_name": label("列", "Column"),
                                 "value": label("值", "Value"), "reason": label("原因", "Reason")})


def profile_saver(up: Upload, mapping: Mapping) -> None:
    """Text box and button that save the current mapping as a named profile."""
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    name = left.text_input(label("保存为映射方案（名称）", "Save mapping as profile (name)"),
                           key=f"imp_pname_{up.key}", placeholder=label("如：12345热线", "e.g. hotline"))
    if right.button(label("保存方案", "Save profile"), key=f"imp_psave_{up.key}"):
        try:
            path = save_profile(profiles_dir(state.store_path()), name, mapping)
        except GovdashError as exc:
            st.error(exc.line())
        else:
            flash(up.key, "success", label(f"已保存映射方案“{path.stem}”", f"Saved profile “{path.stem}”"))
            st.rerun()


def file_section(up: Upload, version: tuple) -> tuple[str, Mapping] | None:
    """Preview, mapping editor and profile controls of one file; returns (table, mapping) when importable."""
    st.subheader(plain(up.name))
    show_flash(up.key)
    left, right = st.columns(2)
    override = left.selectbox(label("目标表", "Target table"), ["", *TABLES], key=f"imp_table_{up.key}",
                              format_func=lambda v: table_title(v) if v else label("自动识别", "Auto-detect"))
    profile = right.selectbox(label("套用映射方案", "Apply a saved profile"),
                              ["", *list_profiles(profiles_dir(state.store_path()))], key=f"imp_prof_{up.key}",
                              format_func=lambda v: v or label("（不套用）", "(none)"))
    start = Mapping()
    if profile:
        try:
            start = load_named(profiles_dir(state.store_path()), profile)
        except GovdashError as exc:
            st.error(exc.line())
            return None
    base = dry_run(up, override or None, start, "base", version)
    if isinstance(base, GovdashError):
        # Not recognised: let the user map the headers by hand onto the chosen table.
        table = override or start.table
        headers = headers_of(up, table, start)
        if isinstance(headers, GovdashError) or table not in TABLES:
            st.error(base.line())
            if not isinstance(headers, GovdashError):
                st.info(label("请先选择目标表，再在列映射表中指定各列。",
                              "Pick the target table, then map the columns in the table that appears."))
            return None
        prefill = {h: c for h, c in start.columns.items() if h in headers}
    else:
        table, headers, prefill = base.table, base.headers, base.mapping
    st.markdown(f"**{label('列映射', 'Column mapping')}**")
    chosen = mapping_editor(up, table, headers, prefill, f"{override}|{profile}")
    twice = duplicate_targets(chosen)
    if twice:
        st.error(label(f"同一列被选了多次：{'、'.join(twice)}；每个目标列只能对应一个表头。",
                       f"Columns chosen more than once: {', '.join(twice)}; map each to one header only."))
        return None
    result = base
    if isinstance(base, GovdashError) or {h: c for h, c in chosen.items() if c} != prefill:
        result = dry_run(up, table, Mapping(table, chosen, start.values), "edit", version)
        if isinstance(result, GovdashError):
            st.error(result.line())
            return None
    show_result(result)
    mapping = Mapping(result.table, chosen, start.values)
    profile_saver(up, mapping)
    return result.table, mapping


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
    """Drop kept dry runs and headers of files that are no longer uploaded."""
    for name in [k for k in st.session_state if str(k).startswith("imp_keep_")]:
        if str(name).split("_", 3)[3] not in keys:
            del st.session_state[name]


def import_section() -> None:
    """Uploader, one section per file, and the import buttons."""
    files = st.file_uploader(label("上传导出文件（CSV 或 Excel .xlsx，可多选）",
                                   "Upload exports (CSV or Excel .xlsx, several at once)"),
                             type=["csv", "xlsx"], accept_multiple_files=True, key="imp_files")
    ups = uploads(files or [])
    forget_other_files({u.key for u in ups})
    version = state.version()
    ready: list[tuple[Upload, str, Mapping]] = []
    for up in ups:
        with st.container(border=True):
            plan = file_section(up, version)
            if plan is None:
                continue
            ready.append((up, *plan))
            if st.button(label("导入此文件", "Import this file"), key=f"imp_go_{up.key}", type="primary"):
                flash(up.key, *commit(up, *plan))
                data_changed()
    if len(ready) > 1 and st.button(label(f"全部导入（{len(ready)} 个文件）", f"Import all ({len(ready)} files)"),
                                    key="imp_go_all", type="primary"):
        for up, table, mapping in ready:
            flash(up.key, *commit(up, table, mapping))
        data_changed()


def history_section() -> None:
    """Import batches, undo, and the stored rejects of a batch."""
    st.header(label("导入历史", "Import history"))
    show_flash("history")
    frame = state.run(history.batches)
    if frame.empty:
        st.info(label("还没有导入批次。", "No imports yet."))
        return
    shown = frame.assign(
        table_name=[table_title(n) if n in TABLES else n for n in frame["table_name"]],
        status=[label("有效", "active") if s == "active" else label("已撤销", "undone") for s in frame["status"]])
    names = {"id": label("批次", "Batch"), "imported_at": label("导入时间", "Time"), "file_name": label("文件", "File"),
             "table_name": label("表", "Table"), "encoding": label("编码", "Encoding"),
             "rows_read": label("读取", "Read"), "rows_loaded": label("导入", "Loaded"),
             "rows_rejected": label("不合格", "Rejected"), "rows_duplicate": label("重复", "Duplicate"),
             "rows_unchanged": label("未变", "Unchanged"), "status": label("状态", "Status")}
    st.dataframe(shown.rename(columns=names), hide_index=True, width="stretch")

    active = state.run(history.active_ids)
    # Keys carry the data version so the pickers are redrawn (newest batch first) after every change.
    stamp = "_".join(str(v) for v in state.version())
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    if active:
        batch = left.selectbox(label("撤销批次", "Undo batch"), active, key=f"imp_undo_id_{stamp}",
                               format_func=lambda b: f"{b} · {files_of(frame).get(b, '')}")
        if right.button(label("撤销", "Undo"), key="imp_undo"):
            try:
                counts = state.run(undo_batch, batch)
            except GovdashError as exc:
                flash("history", "error", exc.line())
            else:
                flash("history", "success", label(
                    f"已撤销批次 {batch}：删除 {counts['removed']} 行，恢复 {counts['restored']} 行。",
                    f"Batch {batch} undone: {counts['removed']} rows removed, {counts['restored']} restored."))
            data_changed()
    else:
        left.caption(label("没有可撤销的批次。", "No batch can be undone."))

    picked = st.selectbox(label("查看批次的不合格行", "Rejected rows of batch"), list(frame["id"]),
                          key=f"imp_rej_id_{stamp}", format_func=lambda b: f"{b} · {files_of(frame).get(b, '')}")
    total = state.run(history.reject_count, picked)
    if total:
        st.caption(label(f"批次 {picked} 共记录 {total} 处问题。", f"Batch {picked} has {total} problems recorded."))
        st.dataframe(reject_frame(state.run(history.rejects, picked)), hide_index=True, width="stretch")
    else:
        st.caption(label(f"批次 {picked} 没有不合格行。", f"Batch {picked} has no rejected rows."))


def files_of(frame: pd.DataFrame) -> dict[int, str]:
    """Batch id → file name."""
    return dict(zip(frame["id"], frame["file_name"]))


state.require_router()
st.title(t("import"))
st.caption(label("先上传并预览：系统试导入一遍（不写入），显示识别出的表、编码、列映射和不合格的行；"
                 "确认无误后再点“导入”。每次导入都是一个批次，可在下方撤销。",
                 "Upload and preview first: a dry run shows the table, encoding, column mapping and rejected "
                 "rows without writing anything; then press Import. Every import is a batch you can undo below."))
import_section()
st.divider()
history_section()
