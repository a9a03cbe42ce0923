"""One writer, many readers: the store file is written by one process at a time, and readers work from an
immutable copy of it (a snapshot) published after every write.

DuckDB lets one process open a file for writing and refuses readers meanwhile, so the dashboard never opens
the store itself. A writer (a command-line import, the Import page's worker, a scheme edit) takes the writers'
lock, waiting up to WAIT_S for another writer to finish, changes the store, checkpoints it and publishes a copy
into `.snapshots/` beside it (the command line leaves the copy to the first reader); a small pointer file names
the newest copy. Readers open the newest copy read-only: a
reading session sees the old figures or the new ones, never a half-written store and never a lock error. A
store changed by a program that did not publish (or a scheme file edited by hand) is noticed by its
fingerprint (size and time of the store, its WAL and the scheme files) and republished on the next read.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from .errors import GovdashError
from .store import StoreBusy, connect

WAIT_S = 120.0
KEEP = 3
POINTER = "CURRENT.json"


def folder(store: Path) -> Path:
    """Where the store's snapshots live."""
    return Path(store).parent / ".snapshots"


def fingerprint(store: Path) -> list:
    """Size and modification time of the store, its WAL and the scheme files: changes when any does."""
    from .assessment.scheme import scheme_files
    paths = [Path(store), Path(str(store) + ".wal"), *scheme_files().values()]
    out = []
    for p in paths:
        try:
            st = p.stat()
            out.append([p.name, st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([p.name, None, None])
    return out


def _pointer(store: Path) -> dict | None:
    """The pointer to the newest snapshot, or None."""
    try:
        return json.loads((folder(store) / POINTER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def current(store: Path) -> Path | None:
    """The newest snapshot's path, or None when there is none."""
    pointer = _pointer(store)
    if not pointer:
        return None
    path = folder(store) / pointer["file"]
    return path if path.exists() else None


def fresh(store: Path) -> bool:
    """True when the newest snapshot shows the store (and the scheme files) as they are now."""
    pointer = _pointer(store)
    return bool(pointer) and current(store) is not None and pointer.get("fingerprint") == fingerprint(store)


def open_writer(store: Path, wait_s: float = WAIT_S) -> duckdb.DuckDBPyConnection:
    """The store opened for writing, waiting up to wait_s while another process writes it."""
    folder_of = Path(store).parent
    if not os.access(folder_of, os.W_OK | os.X_OK):
        raise GovdashError("没有写入数据库目录的权限（目录只读）", "no permission to write the store's folder (read-only)",
                           str(folder_of))
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            return connect(store)
        except StoreBusy:
            if time.monotonic() >= deadline:
                raise StoreBusy("数据库正被另一个程序写入，等待超时，请稍后再试",
                                f"another program has been writing the store for over {wait_s:.0f} s; try again "
                                "later", str(store)) from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def publish(con: duckdb.DuckDBPyConnection, store: Path) -> Path:
    """Copy the store (checkpointed, while this process holds its lock) as the newest snapshot."""
    con.execute("CHECKPOINT")
    target_dir = folder(store)
    pointer = _pointer(store) or {}
    number = int(pointer.get("number", 0)) + 1
    name = f"{Path(store).stem}-{number}.duckdb"
    tmp = target_dir / f".{name}.tmp"
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(store, tmp)
        os.replace(tmp, target_dir / name)
    except OSError as exc:
        raise GovdashError("无法写入数据库目录中的快照", f"cannot write the store's snapshot: {exc.strerror}",
                           str(target_dir)) from exc
    return target_dir / name


def _point(store: Path, snapshot: Path) -> None:
    """Make snapshot the newest (after the writer closed the store, so the fingerprint is final)."""
    number = int(snapshot.stem.rsplit("-", 1)[1])
    data = {"file": snapshot.name, "number": number, "fingerprint": fingerprint(store),
            "published_at": time.strftime("%Y-%m-%d %H:%M:%S")}
    tmp = folder(store) / f".{POINTER}.tmp"
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder(store) / POINTER)
    _prune(store, number)


def _prune(store: Path, newest: int) -> None:
    """Delete snapshots older than the KEEP newest (a reader still holding one keeps reading it)."""
    stem = Path(store).stem
    for path in folder(store).glob(f"{stem}-*.duckdb"):
        try:
            if int(path.stem.rsplit("-", 1)[1]) <= newest - KEEP:
                path.unlink()
        except (ValueError, OSError):
            continue
    for path in folder(store).glob(".*.tmp"):
        if time.time() - path.stat().st_mtime > 3600:
            path.unlink(missing_ok=True)


@contextmanager
def _turn(store: Path, wait_s: float) -> Iterator[None]:
    """The writers' turn: an exclusive lock on a file beside the store, held from opening the store to naming
    the new snapshot, so writers in any process or thread never interleave (DuckDB's own lock is released when
    the store closes, before the snapshot is named)."""
    lock_dir = folder(store)
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        fh = open(lock_dir / ".writer.lock", "a+")
    except OSError as exc:
        raise GovdashError("无法写入数据库目录", f"cannot write the store's folder: {exc.strerror}",
                           str(lock_dir)) from exc
    deadline = time.monotonic() + wait_s
    delay = 0.02
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusy("数据库正被另一个程序写入，请稍后再试", "another program is writing the store; "
                                    "try again later", str(store)) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        yield
    finally:
        fh.close()  # closing the file releases the lock


@contextmanager
def writing(store: Path, wait_s: float = WAIT_S, publish_after: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store open for writing; on success a new snapshot is published for the readers (or, with
    publish_after=False, left for the first reader to publish: the command line does not pay for the copy)."""
    store = Path(store)
    with _turn(store, wait_s):
        con = open_writer(store, wait_s)
        snapshot = None
        try:
            yield con
            from .assessment.versions import sync_files
            sync_files(con)  # edits of the scheme files become versions with every write
            if publish_after:
                snapshot = publish(con, store)
        finally:
            con.close()
        if snapshot is not None:
            _point(store, snapshot)


def refresh(store: Path, wait_s: float = 0.0) -> bool:
    """Publish a new snapshot when the newest one is stale; False when a writer is busy (readers then keep
    the snapshot they have)."""
    store = Path(store)
    if not store.exists() or fresh(store):
        return True
    if current(store) is None:
        wait_s = max(wait_s, WAIT_S)  # nothing to show meanwhile: wait for the first snapshot
    try:
        with writing(store, wait_s):
            pass
    except StoreBusy:
        return False
    return True


def reader(store: Path, wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the newest snapshot, refreshed first when it is stale and no one writes."""
    store = Path(store)
    if not store.exists():
        raise GovdashError("数据库不存在，请先运行 init 或 import", "store not found; run init or import first",
                           str(store))
    refresh(store, wait_s)
    snapshot = current(store)
    if snapshot is None:
        raise StoreBusy("数据库正在首次写入，请稍后再试", "the store is being written for the first time; try again "
                        "shortly", str(store))
    return connect(snapshot, read_only=True)
