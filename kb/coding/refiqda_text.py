"""What a researcher reads in a REFI-QDA project: Swedish memos of codings, cases and sources.

A coding's memo (the selection's Description: the standard's place for it, and what QualCoder's
importer reads as the coding memo) says in Swedish who or what proposed it, on which evidence (rule
and layer, or model), with what confidence and where its review stands. The machine-readable fields
travel separately, in one project Note (see kb.coding.refiqda), so the memo never has to be parsed.
"""

from __future__ import annotations

from typing import Any

from kb.coding.store import ACCEPTED, MACHINE_PREFIX, PROPOSED, REJECTED

MODEL_PREFIX = "modell:"
# The matcher's layers (kb.coding.matcher.LAYER_ORDER) in words
LAYERS = {
    "surface": "ordformen i texten",
    "lemma": "ordets grundform",
    "phrase": "en fras",
    "pattern": "ett mönster",
    "alt_lemma": "en alternativ grundform",
    "compound": "en del av ett sammansatt ord",
}
RULE_KINDS = {"term": "termen", "phrase": "frasen", "pattern": "mönstret"}
KINDS = {"svarighet": "svårighet (svårt med samverkan)", "positivt": "positivt med samverkan"}


def _number(value: Any) -> str:
    return f"{float(value):.2f}".replace(".", ",")


def _day(stamp: str | None) -> str:
    return f" {stamp[:10]}" if stamp else ""


def _evidence(coding: dict[str, Any]) -> str:
    coder, rule = coding.get("coder") or "", coding.get("rule") or ""
    if coder.startswith(MACHINE_PREFIX):
        kind, _, term = rule.partition(":")
        what = f"{RULE_KINDS[kind]} ”{term}”" if kind in RULE_KINDS and term else f"regeln ”{rule}”"
        layer = LAYERS.get(coding.get("layer") or "")
        version = coder.removeprefix(MACHINE_PREFIX)
        text = f"Föreslagen av regelkodaren (version {version}): {what}"
        return text + (f" träffade {layer}." if layer else ".")
    if coder.startswith(MODEL_PREFIX):
        return f"Föreslagen av modellen {coder.removeprefix(MODEL_PREFIX)}" + (f" ({rule})." if rule else ".")
    return f"Kodad för hand av {coder}." if coder else "Kodad för hand."


def _status(coding: dict[str, Any]) -> str:
    status, by, at = coding.get("status"), coding.get("decided_by"), coding.get("decided_at")
    if status == ACCEPTED:
        return f"Status: accepterad{f' av {by}' if by else ''}{_day(at)}."
    if status == REJECTED:
        return f"Status: avvisad{f' av {by}' if by else ''}{_day(at)} (visas inte som kodning)."
    if status == PROPOSED:
        return "Status: förslag, ännu inte granskat."
    return f"Status: {status}."


def coding_memo(coding: dict[str, Any], theme_label: str, whole: bool) -> str:
    """The Swedish memo of one coding."""
    lines = []
    if coding.get("status") == REJECTED:
        lines.append(f"Avvisat förslag om temat ”{theme_label}”.")
    lines.append(_evidence(coding))
    if whole:
        lines.append("Gäller hela svaret.")
    elif coding.get("text"):
        lines.append(f"Belägg i texten: ”{coding['text']}”.")
    if coding.get("confidence") is not None:
        lines.append(f"Säkerhet: {_number(coding['confidence'])} (0–1).")
    lines.append(_status(coding))
    if coding.get("codebook_version"):
        lines.append(f"Kodboksversion: {coding['codebook_version']}.")
    if coding.get("note"):
        lines.append(f"Anteckning: {coding['note']}")
    return "\n".join(lines)


def case_name(department: str | None, round_: Any) -> str:
    """A case is one department's answers in one round."""
    return f"{department or 'okänd förvaltning'} {round_}".strip()


def case_memo(department: str | None, round_: Any, sources: int) -> str:
    """The Swedish description of a case."""
    who = department or "en förvaltning som inte är känd"
    return f"Fritextsvar från {who} i omgång {round_}: {sources} svar."


def source_memo(kind: str | None, round_: Any, source_id: str | None) -> str:
    """The Swedish description of one statement (a text source)."""
    what = KINDS.get(kind or "", kind or "fritextsvar")
    return f"Fritextsvar, {what}, omgång {round_}. Källa: {source_id or 'okänd'}."
