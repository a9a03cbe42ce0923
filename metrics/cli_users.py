"""`python -m metrics users add|passwd|disable|enable|role|list`: accounts of the dashboard.

Passwords are read from the terminal twice without echo, or from one line of standard input with
--password-stdin (for scripts). Every change is written to the audit trail with the operating-system user.
"""
from __future__ import annotations

import argparse
import getpass
import sys

from . import accounts
from .access import Access
from .errors import UsageError

EXIT_OK = 0


def add_parsers(sub, db_arg) -> None:
    """Add the users subcommand to the CLI's subparsers."""
    p = sub.add_parser("users", help="看板账户 (dashboard accounts)")
    db_arg(p)
    p.add_argument("action", choices=["add", "passwd", "disable", "enable", "role", "list"])
    p.add_argument("username", nargs="?", metavar="NAME", help="账户名（单点登录时为邮箱）(account name)")
    p.add_argument("--role", choices=sorted(accounts.ROLES), help="viewer 只读 / analyst 可导入 / admin 管理员")
    p.add_argument("--city", action="store_true", help="范围：全市 (scope: the whole city)")
    p.add_argument("--district", action="append", default=[], metavar="区县",
                   help="范围：区县，可重复 (scope: a district; repeat for several)")
    p.add_argument("--street", action="append", default=[], metavar="区县/街道",
                   help="范围：街道，写作 区县/街道，可重复 (scope: a street as DISTRICT/STREET)")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读一行作为密码 (read the password from stdin)")


def _access(args: argparse.Namespace) -> Access:
    """The scope given on the command line."""
    if args.city:
        return Access(city=True)
    streets = []
    for text in args.street:
        district, sep, street = text.partition("/")
        if not sep or not district.strip() or not street.strip():
            raise UsageError(f"--street 应写作 区县/街道：{text}", f"--street expects DISTRICT/STREET: {text}")
        streets.append((district.strip(), street.strip()))
    return Access(False, tuple(d.strip() for d in args.district if d.strip()), tuple(streets))


def _password(args: argparse.Namespace) -> str:
    """The new password, from stdin or typed twice."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码 (password): ")
    if first != getpass.getpass("再输一次 (again): "):
        raise UsageError("两次输入的密码不一致", "the passwords do not match")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    """Manage accounts."""
    from .assessment.versions import who
    from .store import db_path

    store = db_path(args.db)
    by = f"{who()}（命令行）"
    if args.action == "list":
        for u in accounts.users(store):
            state = "停用 disabled" if u["disabled"] else "启用 enabled"
            print(f"{u['username']}\t{u['role']}\t{u['access'].label()}\t{state}\t上次登录 last sign-in: "
                  f"{u['last_login'] or '—'}")
        return EXIT_OK
    if not args.username:
        raise UsageError(f"users {args.action} 需要账户名", f"users {args.action} needs an account name")
    if args.action == "add":
        if not args.role:
            raise UsageError("users add 需要 --role", "users add needs --role")
        accounts.add(store, args.username, _password(args), args.role, _access(args), by)
        print(f"已添加账户 {args.username} (account added)")
    elif args.action == "passwd":
        accounts.set_password(store, args.username, _password(args), by)
        print(f"已修改 {args.username} 的密码 (password changed)")
    elif args.action in ("disable", "enable"):
        accounts.set_disabled(store, args.username, args.action == "disable", by)
        print(f"已{'停用' if args.action == 'disable' else '启用'}账户 {args.username} (account {args.action}d)")
    else:
        if not args.role:
            raise UsageError("users role 需要 --role 和范围", "users role needs --role and a scope")
        accounts.set_role(store, args.username, args.role, _access(args), by)
        print(f"已修改 {args.username} 的角色与范围 (role and scope changed)")
    return EXIT_OK


HANDLERS = {"users": cmd_users}
