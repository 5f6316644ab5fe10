"""Shared fixtures. The zygote is forked here, at import, before any test module
imports the reference solution or the mistake catalog (the sandbox refuses to
fork a zygote that could carry them)."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.sandbox import Zygote

ZYGOTE = Zygote.start()
SUBMISSIONS = Path(__file__).parent / "submissions"


@pytest.fixture(scope="session")
def zygote() -> Zygote:
    return ZYGOTE


def pytest_unconfigure(config):
    ZYGOTE.close()
