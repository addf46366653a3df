"""Reading a REFI-QDA project (.qdpx) a user hands in, hardened: zip-bomb and member-path checks, XML
without DTDs or entities (defusedxml: no XXE, no entity bombs), and the fields this project writes in a
selection's Description checked before anything is stored.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from kb.coding.store import ACCEPTED, PROPOSED, REJECTED
from kb.core.errors import InputError, InputErrors

MAX_QDPX_BYTES = 50 * 1024 * 1024  # all members uncompressed; a coded project of this db is under 1 MB
MAX_QDPX_MEMBERS = 10_000


def read_archive(path: Path) -> tuple[Any, dict[str, str]]:
    """project.qde parsed without DTDs or entities (defusedxml), and the plain texts, from a checked zip."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    name = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_QDPX_MEMBERS or sum(m.file_size for m in members) > MAX_QDPX_BYTES:
                raise InputErrors([InputError(name, None, None, "arkivet packas upp till för mycket: för stort")])
            for member in members:
                parts = member.filename.replace("\\", "/").split("/")
                if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                    raise InputErrors([InputError(name, None, member.filename, "otillåten sökväg i arkivet")])
            names = {m.filename for m in members}
            if "project.qde" not in names:
                raise InputErrors([InputError(name, None, None, "project.qde saknas i arkivet")])
            root = fromstring(archive.read("project.qde"), forbid_dtd=True)
            texts = {}
            for member in sorted(n for n in names if n.lower().startswith("sources/")):
                try:
                    texts[member] = archive.read(member).decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise InputErrors([InputError(name, None, member, "texten är inte UTF-8")]) from None
    except zipfile.BadZipFile:
        raise InputErrors([InputError(name, None, None, "ingen giltig .qdpx-fil (inget zip-arkiv)")]) from None
    except OSError as exc:
        raise InputErrors([InputError(name, None, None, f"ingen giltig .qdpx-fil: {exc.strerror or exc}")]) from None
    except (zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError):
        message = "ingen giltig .qdpx-fil (arkivet är skadat eller använder en packning som inte stöds)"
        raise InputErrors([InputError(name, None, None, message)]) from None
    except DefusedXmlException:
        raise InputErrors([InputError(name, None, "project.qde", "DTD och entiteter tillåts inte i XML")]) from None
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputErrors([InputError(name, line, "project.qde", f"inte giltig XML: {exc}")]) from None
    return root, texts


def own_problem(own: dict, themes: set[str]) -> str | None:
    """What is wrong with the fields this project writes in a selection's Description, if anything."""
    if "status" in own and own["status"] not in {ACCEPTED, REJECTED, PROPOSED}:
        return f"okänd status {own['status']!r}"
    if "theme_id" in own and own["theme_id"] not in themes:
        return f"okänt tema {own['theme_id']!r}"
    for key, kind in (("negated", int), ("confidence", float)):
        if key in own:
            try:
                kind(own[key])
            except (TypeError, ValueError):
                return f"{key} ska vara ett tal, inte {own[key]!r}"
    for key in ("coder", "decided_by", "decided_at", "created_at", "rule", "layer", "note", "codebook_version"):
        if own.get(key) is not None and not isinstance(own[key], str):
            return f"{key} ska vara text"
    return None


def position(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
