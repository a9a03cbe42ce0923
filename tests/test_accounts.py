"""Accounts: salted argon2 hashes, sign-in with lockout, disabled accounts, the append-only audit trail, and the
`python -m metrics users` commands."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from conftest import ROOT
from metrics import accounts
from metrics.access import Access
from metrics.errors import GovdashError, UsageError

PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path):
    """A store path (the accounts file lives beside it)."""
    return tmp_path / "gov.duckdb"


def test_passwords_are_salted_hashes_and_sign_in_works(store):
    accounts.add(store, "alice", PASSWORD, "viewer", Access(districts=("荔城区",)), "root")
    accounts.add(store, "bob", PASSWORD, "viewer", Access(districts=("东风区",)), "root")
    con = sqlite3.connect(accounts.path_for(store))
    hashes = [r[0] for r in con.execute("SELECT password_hash FROM users ORDER BY username")]
    con.close()
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    assert hashes[0] != hashes[1]  # same password, different salt
    user = accounts.sign_in(store, "alice", PASSWORD, "10.0.0.5")
    assert user.role == "viewer" and user.access.districts == ("荔城区",)
    assert user.can("read") and not user.can("import") and not user.can("admin")


def test_wrong_password_unknown_name_and_lockout(store):
    accounts.add(store, "alice", PASSWORD, "analyst", Access(city=True))
    with pytest.raises(GovdashError, match="账户名或密码不正确"):
        accounts.sign_in(store, "nobody", PASSWORD)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(GovdashError, match="账户名或密码不正确"):
            accounts.sign_in(store, "alice", "wrong password!")
    with pytest.raises(GovdashError, match="已锁定"):
        accounts.sign_in(store, "alice", PASSWORD)  # locked even with the right password
    accounts.set_password(store, "alice", "a brand new password", "admin")  # an admin's reset clears the lock
    assert accounts.sign_in(store, "alice", "a brand new password").role == "analyst"


def test_disabled_accounts_cannot_sign_in(store):
    accounts.add(store, "alice", PASSWORD, "viewer", Access(city=True))
    accounts.set_disabled(store, "alice", True, "admin")
    with pytest.raises(GovdashError, match="已停用"):
        accounts.sign_in(store, "alice", PASSWORD)
    assert accounts.count(store) == 0 and accounts.count(store, enabled_only=False) == 1


@pytest.mark.parametrize("name, password, role, access, message", [
    ("a", "short", "viewer", Access(city=True), "至少"),
    ("a", PASSWORD, "boss", Access(city=True), "未知角色"),
    ("a", PASSWORD, "viewer", Access(), "必须有范围"),
    ("", PASSWORD, "viewer", Access(city=True), "账户名"),
    ("a\nb", PASSWORD, "viewer", Access(city=True), "账户名"),
])
def test_bad_accounts_are_refused(store, name, password, role, access, message):
    with pytest.raises(UsageError, match=message):
        accounts.add(store, name, password, role, access)


def test_the_audit_trail_records_and_cannot_be_changed(store):
    accounts.add(store, "alice", PASSWORD, "viewer", Access(city=True), "root")
    with pytest.raises(GovdashError):
        accounts.sign_in(store, "alice", "nope nope nope", "10.0.0.9")
    accounts.sign_in(store, "alice", PASSWORD, "10.0.0.9")
    rows = accounts.trail(store)
    assert [r[2] for r in rows] == ["sign_in", "sign_in_failed", "user_add"]
    assert rows[0][1] == "alice" and rows[0][4] == "10.0.0.9"
    con = sqlite3.connect(accounts.path_for(store))
    for sql in ("UPDATE audit SET detail = 'x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
            con.execute(sql)
    con.close()
    assert len(accounts.trail(store)) == 3


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """Run python -m metrics."""
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_users_commands(store):
    db = ("--db", str(store))
    out = cli("users", "add", "lc-viewer", "--role", "viewer", "--district", "荔城区", "--password-stdin", *db,
              stdin=PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    out = cli("users", "add", "gc-analyst", "--role", "analyst", "--street", "荔城区/拱辰街道", "--password-stdin", *db,
              stdin=PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    listed = cli("users", "list", *db).stdout
    assert "lc-viewer\tviewer\t荔城区\t" in listed and "gc-analyst\tanalyst\t荔城区拱辰街道\t" in listed
    assert cli("users", "passwd", "lc-viewer", "--password-stdin", *db, stdin="another long one\n").returncode == 0
    assert accounts.sign_in(store, "lc-viewer", "another long one").username == "lc-viewer"
    assert cli("users", "disable", "lc-viewer", *db).returncode == 0
    assert "停用" in cli("users", "list", *db).stdout
    bad = cli("users", "add", "x", "--role", "viewer", "--street", "no-slash", "--password-stdin", *db,
              stdin=PASSWORD + "\n")
    assert bad.returncode == 2 and "区县/街道" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    actions = [r[2] for r in accounts.trail(store)]
    assert actions[:4] == ["user_disable", "sign_in", "user_passwd", "user_add"]
