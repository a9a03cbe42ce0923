"""Accounts and the audit trail, beside the store in a small SQLite file (`<store>.accounts.sqlite`).

SQLite, not DuckDB, because many processes write here at once (the dashboard's sign-ins and downloads, the
command line's imports, the worker's undos) and each write is one small row; DuckDB allows one writer per file.
Passwords are kept as argon2id hashes (argon2-cffi). The audit table is append-only: triggers refuse any
UPDATE or DELETE, and nothing in the dashboard writes to it except by adding a row.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .access import Access
from .errors import GovdashError, UsageError

ROLES = {"viewer": ("只读", "reads"), "analyst": ("分析员：可导入、撤销", "imports and undoes within scope"),
         "admin": ("管理员：账户、考核方案及全部功能", "users, schemes, everything")}
MAX_FAILURES, LOCK_MINUTES = 5, 15
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
_DUMMY: list[str] = []


def _dummy() -> str:
    """A hash to verify against when the name is unknown, so that takes as long as a real check (made once,
    when first needed: hashing costs a tenth of a second)."""
    if not _DUMMY:
        _DUMMY.append(_HASHER.hash("not a password of anyone"))
    return _DUMMY[0]
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS users (
        username TEXT PRIMARY KEY, password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
        scope TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, last_login TEXT)""",
    """CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, username TEXT, action TEXT NOT NULL,
        detail TEXT, ip TEXT)""",
    """CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail cannot be changed'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail cannot be changed'); END""",
)


@dataclass(frozen=True)
class User:
    """A signed-in account."""

    username: str
    role: str
    access: Access

    def can(self, action: str) -> bool:
        """True when the role allows the action: read, import (and undo), admin."""
        allowed = {"viewer": {"read"}, "analyst": {"read", "import"}, "admin": {"read", "import", "admin"}}
        return action in allowed.get(self.role, set())


def path_for(store: Path) -> Path:
    """The accounts file beside a store."""
    store = Path(store)
    return store.with_name(store.stem + ".accounts.sqlite")


def _now() -> str:
    """The current time as stored."""
    return dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")


def connect(store: Path) -> sqlite3.Connection:
    """The accounts database (created on first use), waiting up to 10 s for another writer."""
    target = path_for(store)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(target, timeout=10, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        for ddl in SCHEMA:
            con.execute(ddl)
    except sqlite3.Error as exc:
        raise GovdashError("无法打开账户数据库", f"cannot open the accounts database: {exc}", str(target)) from exc
    return con


def count(store: Path, enabled_only: bool = True) -> int:
    """How many accounts exist (enabled ones only by default)."""
    if not path_for(store).exists():
        return 0
    con = connect(store)
    try:
        sql = "SELECT count(*) FROM users" + (" WHERE disabled = 0" if enabled_only else "")
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def _check_password(password: str) -> None:
    """UsageError unless the password is long enough."""
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"密码至少 {MIN_PASSWORD} 个字符", f"the password needs at least {MIN_PASSWORD} characters")


def _check_name(username: str) -> str:
    """A trimmed, printable account name of 1–64 characters."""
    name = (username or "").strip()
    if not name or len(name) > 64 or not all(ch.isprintable() for ch in name):
        raise UsageError("账户名须为 1–64 个可打印字符", "the account name must be 1–64 printable characters")
    return name


def add(store: Path, username: str, password: str, role: str, access: Access, by: str = "") -> None:
    """Create an account; UsageError when the name exists, the role is unknown or the scope is empty."""
    name = _check_name(username)
    if role not in ROLES:
        raise UsageError(f"未知角色 {role}", f"unknown role {role}; one of {', '.join(ROLES)}")
    if access.nothing:
        raise UsageError("账户必须有范围：--city、--district 或 --street", "an account needs a scope: --city, "
                         "--district or --street")
    _check_password(password)
    con = connect(store)
    try:
        con.execute("INSERT INTO users (username, password_hash, role, scope, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [name, _HASHER.hash(password), role,
                                                  json.dumps(access.to_json(), ensure_ascii=False), _now(), _now()])
    except sqlite3.IntegrityError as exc:
        raise UsageError(f"账户 {name} 已存在", f"account {name} already exists") from exc
    finally:
        con.close()
    audit(store, by, "user_add", f"{name}：{role}，范围 {access.label()}")


def _update(store: Path, username: str, sql: str, params: list) -> None:
    """Change one account; UsageError when it does not exist."""
    con = connect(store)
    try:
        cur = con.execute(sql + " WHERE username = ?", [*params, username])
        if cur.rowcount == 0:
            raise UsageError(f"没有账户 {username}", f"no account {username}")
    finally:
        con.close()


def set_password(store: Path, username: str, password: str, by: str = "") -> None:
    """Replace an account's password (and clear its lock)."""
    _check_password(password)
    _update(store, username, "UPDATE users SET password_hash = ?, failed = 0, locked_until = NULL, updated_at = ?",
            [_HASHER.hash(password), _now()])
    audit(store, by, "user_passwd", username)


def set_disabled(store: Path, username: str, disabled: bool, by: str = "") -> None:
    """Disable (or enable again) an account."""
    _update(store, username, "UPDATE users SET disabled = ?, updated_at = ?", [1 if disabled else 0, _now()])
    audit(store, by, "user_disable" if disabled else "user_enable", username)


def set_role(store: Path, username: str, role: str, access: Access, by: str = "") -> None:
    """Change an account's role and scope."""
    if role not in ROLES:
        raise UsageError(f"未知角色 {role}", f"unknown role {role}")
    if access.nothing:
        raise UsageError("账户必须有范围", "an account needs a scope")
    _update(store, username, "UPDATE users SET role = ?, scope = ?, updated_at = ?",
            [role, json.dumps(access.to_json(), ensure_ascii=False), _now()])
    audit(store, by, "user_role", f"{username}：{role}，范围 {access.label()}")


def users(store: Path) -> list[dict]:
    """Every account without its hash."""
    con = connect(store)
    try:
        rows = con.execute("SELECT username, role, scope, disabled, failed, locked_until, created_at, updated_at, "
                           "last_login FROM users ORDER BY username").fetchall()
    finally:
        con.close()
    keys = ("username", "role", "scope", "disabled", "failed", "locked_until", "created_at", "updated_at",
            "last_login")
    out = []
    for row in rows:
        rec = dict(zip(keys, row))
        rec["access"] = Access.from_json(json.loads(rec["scope"]))
        out.append(rec)
    return out


def sign_in(store: Path, username: str, password: str, ip: str = "") -> User:
    """The account when the password matches; GovdashError (one line, no hint which part was wrong)."""
    name = (username or "").strip()
    con = connect(store)
    try:
        row = con.execute("SELECT password_hash, role, scope, disabled, failed, locked_until FROM users "
                          "WHERE username = ?", [name]).fetchone()
        wrong = GovdashError("账户名或密码不正确", "wrong account name or password")
        if row is None:
            _verify(_dummy(), password)
            audit(store, name, "sign_in_failed", "未知账户", ip)
            raise wrong
        hashed, role, scope, disabled, failed, locked_until = row
        if locked_until and locked_until > _now():
            audit(store, name, "sign_in_failed", "账户已锁定", ip)
            raise GovdashError(f"尝试次数过多，账户已锁定至 {locked_until[11:16]}",
                               f"too many attempts; the account is locked until {locked_until[11:16]}")
        if not _verify(hashed, password):
            failed += 1
            lock = (dt.datetime.now() + dt.timedelta(minutes=LOCK_MINUTES)).replace(microsecond=0).isoformat(
                sep=" ") if failed >= MAX_FAILURES else None
            con.execute("UPDATE users SET failed = ?, locked_until = ? WHERE username = ?",
                        [0 if lock else failed, lock, name])
            audit(store, name, "sign_in_failed", "密码错误" + ("，账户锁定" if lock else ""), ip)
            raise wrong
        if disabled:
            audit(store, name, "sign_in_failed", "账户已停用", ip)
            raise GovdashError("账户已停用，请联系管理员", "the account is disabled; ask an administrator")
        if _HASHER.check_needs_rehash(hashed):
            con.execute("UPDATE users SET password_hash = ? WHERE username = ?", [_HASHER.hash(password), name])
        con.execute("UPDATE users SET failed = 0, locked_until = NULL, last_login = ? WHERE username = ?",
                    [_now(), name])
    finally:
        con.close()
    audit(store, name, "sign_in", "", ip)
    return User(name, role, Access.from_json(json.loads(scope)))


def lookup(store: Path, username: str) -> User | None:
    """The enabled account of this name (for single sign-on), or None."""
    con = connect(store)
    try:
        row = con.execute("SELECT role, scope FROM users WHERE username = ? AND disabled = 0",
                          [username]).fetchone()
    finally:
        con.close()
    return None if row is None else User(username, row[0], Access.from_json(json.loads(row[1])))


def _verify(hashed: str, password: str) -> bool:
    """True when the password matches the hash."""
    try:
        return _HASHER.verify(hashed, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def audit(store: Path, username: str, action: str, detail: str = "", ip: str = "") -> None:
    """Append one row to the audit trail: who, when, what, from where."""
    clean = "".join(ch if ch.isprintable() else " " for ch in str(detail))[:1000]
    con = connect(store)
    try:
        con.execute("INSERT INTO audit (at, username, action, detail, ip) VALUES (?, ?, ?, ?, ?)",
                    [_now(), username, action, clean, ip])
    finally:
        con.close()


def trail(store: Path, limit: int = 5000) -> list[tuple]:
    """The newest audit rows: (at, username, action, detail, ip)."""
    if not path_for(store).exists():
        return []
    con = connect(store)
    try:
        return con.execute("SELECT at, username, action, detail, ip FROM audit ORDER BY id DESC LIMIT ?",
                           [limit]).fetchall()
    finally:
        con.close()
