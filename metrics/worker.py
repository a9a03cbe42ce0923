"""Work on uploads and the store in a child process, so that one bad file cannot hurt anyone else.

The dashboard hands each upload preview, import, undo and scheme edit to `python -m metrics.worker`, run with
limits on memory (address space), CPU time and wall time. A crash, a timeout or a memory blow-up in the child
becomes one GovdashError line in the page; the server keeps serving. Previews run on a private copy of the
newest snapshot (they never wait for the store's lock); writes take the lock and publish a new snapshot.

Protocol: the parent writes (action, payload, store) with pickle to a request file; the child writes
("ok", value) or ("error", GovdashError) to a result file and progress as JSON to a progress file.
"""
from __future__ import annotations

import json
import os
import pickle
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from .errors import GovdashError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MEMORY_MB = 4096       # address space of the child (DuckDB itself is held to DUCKDB_MEMORY below it)
DUCKDB_MEMORY = "2GB"
CPU_S = 900
WALL_S = 600


def _limits(memory_mb: int, cpu_s: int) -> Callable[[], None]:
    """preexec_fn setting the child's resource limits."""
    def apply() -> None:
        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))
        os.setsid()  # its own process group: a timeout kills the child and anything it started
    return apply


def call(action: str, payload: dict, store: Path, progress: Callable[[float, str], None] | None = None,
         data: bytes | None = None, memory_mb: int = MEMORY_MB, wall_s: float = WALL_S, cpu_s: int = CPU_S) -> object:
    """Run action in a limited child process and return its value; GovdashError on any failure there.

    data (an upload's bytes) is handed over as a file in the call's private folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="govdash-worker-") as tmp:
        request, result, ticks = Path(tmp) / "request.pkl", Path(tmp) / "result.pkl", Path(tmp) / "progress.json"
        if data is not None:
            # The original extension matters to the readers (openpyxl refuses an .xlsx by another name).
            suffix = "".join(ch for ch in Path(str(payload.get("name", ""))).suffix.lower()[:8]
                             if ch.isalnum() or ch == ".")
            upload = Path(tmp) / f"upload{suffix}"
            upload.write_bytes(data)
            payload = {**payload, "file": str(upload)}
        payload = {**payload, "store": str(store)}
        with open(request, "wb") as fh:
            pickle.dump((action, payload, str(store)), fh)
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        proc = subprocess.Popen([sys.executable, "-m", "metrics.worker", str(request), str(result), str(ticks)],
                                cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                preexec_fn=_limits(memory_mb, cpu_s))
        deadline = time.monotonic() + wall_s
        while proc.poll() is None:
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise GovdashError(f"处理超时（超过 {wall_s:.0f} 秒），已停止，未做任何更改",
                                   f"took longer than {wall_s:.0f} s and was stopped; nothing changed")
            if progress is not None:
                _report(ticks, progress)
            time.sleep(0.1)
        stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        return _outcome(proc.returncode, result, stderr, memory_mb)


def _report(ticks: Path, progress: Callable[[float, str], None]) -> None:
    """Pass the child's last progress tick on."""
    try:
        tick = json.loads(ticks.read_text(encoding="utf-8"))
        progress(float(tick["fraction"]), str(tick["stage"]))
    except (OSError, ValueError, KeyError):
        pass


def _outcome(code: int, result: Path, stderr: str, memory_mb: int) -> object:
    """The child's value, or one clear error for how it ended."""
    if result.exists():
        with open(result, "rb") as fh:
            status, value = pickle.load(fh)
        if status == "ok":
            return value
        raise value
    if code == -signal.SIGXCPU or "MemoryError" in stderr or "std::bad_alloc" in stderr:
        raise GovdashError(f"文件处理超出资源限制（内存 {memory_mb} MB 或 CPU 时间），已停止，未做任何更改",
                           f"processing the file exceeded its limits ({memory_mb} MB of memory or CPU time) and "
                           "was stopped; nothing changed")
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        hint = ("，可能超出了内存或 CPU 限制" if name == "SIGKILL" else "，文件可能已损坏", " (perhaps over its memory or "
                "CPU limit)" if name == "SIGKILL" else "; the file may be damaged")
        raise GovdashError(f"处理该文件的进程意外终止（{name}）{hint[0]}，未做任何更改",
                           f"the process reading the file died ({name}){hint[1]}; nothing changed")
    raise GovdashError("处理该文件时出错，未做任何更改", f"processing the file failed (exit {code}); nothing changed")


# ---- the child ----------------------------------------------------------------------------------------------

def _preview(payload: dict, store: str, step) -> object:
    """Dry-run an import on a private copy of the newest snapshot."""
    from .importer import safe_import
    from .snapshots import current, refresh
    from .store import connect
    refresh(Path(store))
    snapshot = current(Path(store))
    with tempfile.TemporaryDirectory(prefix="govdash-preview-") as tmp:
        copy = Path(tmp) / "preview.duckdb"
        if snapshot is not None:
            shutil.copyfile(snapshot, copy)
        con = connect(copy)
        try:
            _tune(con)
            return safe_import(con, Path(payload["file"]), payload["name"], payload["options"], dry_run=True,
                               progress=step, today=payload.get("today"), access=payload.get("access"),
                               reject_sample=payload.get("reject_sample", 20))
        finally:
            con.close()


def _import(payload: dict, store: str, step) -> object:
    """Import for real: the store's lock, the import, a new snapshot."""
    from .importer import safe_import
    from .snapshots import writing
    with writing(Path(store)) as con:
        _tune(con)
        result = safe_import(con, Path(payload["file"]), payload["name"], payload["options"], dry_run=False,
                             store_path=Path(store), progress=step, today=payload.get("today"),
                             access=payload.get("access"), reject_sample=payload.get("reject_sample", 20))
        _audit(payload, "import", f"{payload['name']}: {result.rows_loaded} 行导入，批次 {result.batch_id}"
               if result.committed else f"{payload['name']}: 未导入（{result.message or '无新数据'}）")
        return result


def _headers(payload: dict, store: str, step) -> object:
    """The header cells of an upload (for mapping a file whose columns were not recognised)."""
    from .importer.reader import open_export
    return open_export(Path(payload["file"]), payload["name"], payload.get("sheet")).headers


def _undo(payload: dict, store: str, step) -> object:
    """Undo one batch, when every row it loaded lies within the account's scope."""
    from .importer.batches import batch_places, outside, undo
    from .snapshots import writing
    with writing(Path(store)) as con:
        access = payload.get("access")
        if access is not None and not access.everything:
            places = batch_places(con, payload["batch"])
            if places is None or outside(places, access):
                raise GovdashError("该批次含有您范围以外的数据，不能撤销", "the batch holds rows outside your scope; "
                                   "it cannot be undone by you")
        counts = undo(con, payload["batch"])
        _audit(payload, "undo", f"批次 {payload['batch']}：删除 {counts['removed']} 行，恢复 {counts['restored']} 行")
        return counts


def _scheme_save(payload: dict, store: str, step) -> object:
    """Save a scheme version."""
    from .assessment.versions import save
    from .snapshots import writing
    with writing(Path(store)) as con:
        version = save(con, payload["scheme"], payload["text"], payload["effective"], payload["author"],
                       payload.get("note", ""))
        _audit(payload, "scheme_save", f"{payload['scheme']} 第 {version} 版，自 {payload['effective']:%Y-%m} 起")
        return version


def _audit(payload: dict, action: str, detail: str) -> None:
    """Record the action in the audit trail when the caller named who did it."""
    who = payload.get("who")
    if who:
        from .accounts import audit
        audit(Path(payload["store"]), who.get("user", ""), action, detail, who.get("ip", ""))


def _tune(con) -> None:
    """Hold DuckDB to a memory budget below the child's limit, so it spills or fails cleanly first."""
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")


ACTIONS = {"preview": _preview, "headers": _headers, "import": _import, "undo": _undo, "scheme_save": _scheme_save}


def main(argv: list[str]) -> int:
    """Child entry point: run the request, write the result."""
    request, result, ticks = (Path(a) for a in argv[:3])
    with open(request, "rb") as fh:
        action, payload, store = pickle.load(fh)

    def step(fraction: float, stage: str) -> None:
        tmp = ticks.with_suffix(".tmp")
        tmp.write_text(json.dumps({"fraction": fraction, "stage": stage}), encoding="utf-8")
        os.replace(tmp, ticks)

    try:
        outcome = ("ok", ACTIONS[action](payload, store, step))
    except GovdashError as exc:
        outcome = ("error", exc)
    except MemoryError:
        outcome = ("error", GovdashError("文件处理超出内存限制，已停止，未做任何更改",
                                         "processing the file ran out of memory; nothing changed"))
    except Exception as exc:  # one line for the page, never a traceback
        outcome = ("error", GovdashError("处理失败，未做任何更改", f"processing failed: {type(exc).__name__}: "
                                         f"{str(exc).splitlines()[0][:200] if str(exc) else ''}"))
    with open(result, "wb") as fh:
        pickle.dump(outcome, fh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
