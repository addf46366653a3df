"""Reading hand-coded CSV files (gold sets, texts to predict): rows, or errors naming file, row and column."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kb.core.errors import InputError, InputErrors


def read_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Read a UTF-8 CSV with the given columns; errors name file, row and column."""
    path = Path(path)
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputErrors([InputError(str(path), None, None, "filen finns inte")]) from None
    except IsADirectoryError:
        raise InputErrors([InputError(str(path), None, None, "är en mapp, inte en fil")]) from None
    except OSError as exc:
        raise InputErrors([InputError(str(path), None, None, f"kan inte läsa filen: {exc.strerror}")]) from None
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise InputErrors([InputError(str(path), 1, c, "kolumnen saknas") for c in missing])
        rows, errors, seen = [], [], set()
        for number, row in enumerate(reader, start=2):
            if row.get("id") in seen:
                errors.append(InputError(str(path), number, "id", f"dubblett av id {row['id']!r}"))
            seen.add(row.get("id"))
            if not (row.get("id") or "").strip():
                errors.append(InputError(str(path), number, "id", "tomt id"))
            kind = (row.get("kind") or "").strip()
            if kind and kind not in ("svarighet", "positivt"):
                errors.append(InputError(str(path), number, "kind", f"okänd kind {kind!r} (svarighet|positivt)"))
            rows.append({k: (row.get(k) or "") for k in (*required, *optional)})
        if errors:
            raise InputErrors(errors)
    return rows


SPLITS = ("tune", "test")


def read_gold(path: Path, theme_ids: Iterable[str], split: str | None = None) -> list[dict[str, Any]]:
    """Gold rows (id, text, kind, themes as a set); unknown theme ids are errors.

    Extra columns are allowed. With ``split`` only the rows whose ``split`` column equals it are kept
    (the real-statement set has a fixed tune/test split); a file without that column is an error.
    """
    known = set(theme_ids)
    rows = read_rows(path, ("id", "text", "kind", "themes", *(("split",) if split else ())))
    errors = []
    out = []
    for number, row in enumerate(rows, start=2):
        if split:
            value = row["split"].strip()
            if value not in SPLITS:
                errors.append(InputError(str(path), number, "split", f"okänd split {value!r} (tune|test)"))
            if value != split:
                continue
        themes = {t.strip() for t in row["themes"].split(";") if t.strip()}
        for t in sorted(themes - known):
            errors.append(InputError(str(path), number, "themes", f"okänt tema {t!r}"))
        out.append({"id": row["id"], "text": row["text"], "kind": row["kind"] or None, "themes": themes})
    if errors:
        raise InputErrors(errors)
    return out


# Publishers that appear under two domain names count as one source (SKL became SKR in 2019).
SOURCE_ALIASES = {"skl.se": "skr.se"}


def source_key(url: str) -> str:
    """The source a real statement comes from: the registered domain of its URL (last two labels).

    The unit of the real-statement set's tune/test split and of cross-validation folds, so that no
    publisher's wording is on both sides.
    """
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    key = ".".join(host.split(".")[-2:])
    return SOURCE_ALIASES.get(key, key)
