"""Shared fixtures: a fresh store per test, the real exports, and file writers."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"
sys.path.insert(0, str(ROOT))

from metrics.store import connect  # noqa: E402


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Path of a store that does not exist yet."""
    return tmp_path / "store" / "gov.duckdb"


@pytest.fixture
def con(db_path: Path):
    """An open connection to a fresh store."""
    connection = connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def realdata() -> Path:
    """The folder of real exports from other systems (../shared/realdata)."""
    if not REALDATA.is_dir():
        pytest.skip(f"real exports not found at {REALDATA}")
    return REALDATA


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """Write text to tmp_path/name in the given encoding and return the path."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# The dashboard's single-user mode needs a loopback bind address (as `make run` gives); AppTest runs pages in
# this process, so the option is set here. Tests of sign-in switch it off themselves.
from streamlit import config as _streamlit_config  # noqa: E402

_streamlit_config.set_option("server.address", "127.0.0.1")
