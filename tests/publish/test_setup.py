"""`make serve` installs only what serving needs; `make test` adds the test extras (issue 14)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kb.core.paths import ROOT


def planned(target: str) -> list[str]:
    """The pip install commands `make` would run for a target on a fresh machine (-B: as if nothing were built)."""
    result = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True)
    return [line for line in result.stdout.splitlines() if "pip install" in line and "--upgrade pip" not in line]


@pytest.mark.skipif(shutil.which("make") is None, reason="make saknas")
def test_make_serve_installs_no_test_extras_and_make_test_does():
    serve = planned("serve")
    assert serve and all("[test]" not in line for line in serve)
    assert any(line.rstrip().endswith("-e .") for line in serve)
    assert any('-e ".[test]"' in line for line in planned("test"))
