"""The monev oracle suite: `python3 -m pytest tests-monev-oracle`.

Needs the `aduan` binary (ADUAN_BIN, default .build/debug/aduan) and, for the PostgreSQL half, a server to make a
database on (TEST_DATABASE_URL_PG, else TEST_DATABASE_URL) and `psql`. Outside CI a missing piece skips its half;
in CI (CI=true) it fails.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "testsupport"))

IN_CI = os.environ.get("CI") == "true"


def missing(what: str):
    if IN_CI:
        pytest.fail(f"{what} (required in CI)", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="session")
def aduan_bin() -> Path:
    path = Path(os.environ.get("ADUAN_BIN", ROOT / ".build" / "debug" / "aduan"))
    if not path.is_absolute():
        path = ROOT / path
    if not path.exists():
        missing(f"no aduan binary at {path}: run `swift build` or set ADUAN_BIN")
    return path


@pytest.fixture(scope="session")
def postgres_server() -> str:
    url = os.environ.get("TEST_DATABASE_URL_PG") or os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgres"):
        missing("no PostgreSQL server: set TEST_DATABASE_URL_PG")
    if not shutil.which("psql"):
        missing("psql is not installed")
    return url
