"""Validation helpers of the codebook loader (pattern tokens, version history)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.yamlfile import LINE_KEY, check_keys, line_of
from kb.core.errors import InputError

# Token-pattern keys a codebook may use: BASE (ours) plus a safe subset of spaCy's.
PATTERN_KEYS = {"BASE", "LOWER", "NORM", "TEXT", "OP", "IS_PUNCT", "IS_DIGIT", "LENGTH"}
PATTERN_OPS = {"?", "*", "+", "!"}


def check_pattern_token(token: Any, where: str, path: Path, line: int | None, errors: list[InputError]) -> None:
    if not isinstance(token, dict):
        errors.append(InputError(str(path), line, where, "varje token i ett mönster ska vara en mappning"))
        return
    keys = set(token) - {LINE_KEY}
    unknown = keys - PATTERN_KEYS
    if unknown:
        message = f"okänd nyckel i mönster: {', '.join(sorted(map(str, unknown)))}"
        errors.append(InputError(str(path), line, where, message))
    if "OP" in token and not (isinstance(token["OP"], str) and token["OP"] in PATTERN_OPS):
        errors.append(InputError(str(path), line, where, f"ogiltig OP {token['OP']!r} (tillåtna: ? * + !)"))
    for key in keys & {"BASE", "LOWER", "NORM", "TEXT"}:
        value = token[key]
        if isinstance(value, dict):
            inner = {k: v for k, v in value.items() if k != LINE_KEY}
            ok = (
                set(inner) <= {"IN", "NOT_IN"}
                and all(isinstance(v, list) and v and all(isinstance(x, str) and x for x in v) for v in inner.values())
                and inner
            )
            if not ok:
                errors.append(InputError(str(path), line, where, f"{key} ska vara en text eller {{IN: [texter]}}"))
        elif not isinstance(value, str) or not value:
            errors.append(InputError(str(path), line, where, f"{key} ska vara en text eller {{IN: [texter]}}"))


def check_history(raw: Any, path: Path, errors: list[InputError]) -> tuple[tuple[str, str], ...]:
    """The version history: a list of {version, note}, oldest first."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errors.append(InputError(str(path), None, "history", "ska vara en lista med {version, note}"))
        return ()
    out = []
    for entry in raw:
        line = line_of(entry) if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not str(entry.get("version", "")).strip() or not isinstance(
            entry.get("note"), str
        ):
            errors.append(InputError(str(path), line, "history", "varje post ska ha version och note (text)"))
            continue
        check_keys(path, entry, {"version", "note"}, set(), errors)
        out.append((str(entry["version"]).strip(), entry["note"].strip()))
    return tuple(out)


