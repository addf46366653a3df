"""A fingerprint of the data files a build reads, so `kb serve` can tell when the db is stale."""

from __future__ import annotations

import hashlib
from pathlib import Path

from kb.core.paths import ROOT

# Data files only: coordinators edit these. A change of code is caught by the test that compares the
# committed db with a fresh build.
_PATTERNS = ("ingest/**/*.yml", "ingest/**/*.csv", "ingest/**/*.xlsx", "kb/**/*.sql")


def input_files(root: Path = ROOT) -> list[Path]:
    """The files a build depends on, in a stable order."""
    files = {
        p for pattern in _PATTERNS for p in root.glob(pattern)
        if p.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(root).parts)
    }
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def fingerprint(root: Path = ROOT) -> str:
    """sha256 over the relative paths and contents of every build input."""
    digest = hashlib.sha256()
    for path in input_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
