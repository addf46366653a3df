"""Evaluate the auto-coder against a hand-coded gold set (statement-level theme presence)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.coding.agreement import cohen_kappa
from kb.coding.goldfile import SPLITS, read_gold, read_rows  # noqa: F401 - re-exported


def score(gold: list[dict[str, Any]], predicted: dict[str, set[str]], themes: list[tuple[str, str]]) -> dict[str, Any]:
    """Per-theme precision, recall, F1, support and kappa; micro and macro averages."""
    rows = []
    tp_all = fp_all = fn_all = 0
    for theme_id, kind in themes:
        units = [g for g in gold if g["kind"] in (None, kind)]
        truth = [theme_id in g["themes"] for g in units]
        pred = [theme_id in predicted.get(g["id"], set()) for g in units]
        tp = sum(t and p for t, p in zip(truth, pred, strict=True))
        fp = sum(p and not t for t, p in zip(truth, pred, strict=True))
        fn = sum(t and not p for t, p in zip(truth, pred, strict=True))
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / (tp + fn) if tp + fn else None
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
        rows.append(
            {
                "theme": theme_id,
                "kind": kind,
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "support": tp + fn,
                "predicted": tp + fp,
                "kappa": cohen_kappa(truth, pred),
            }
        )
    with_support = [r for r in rows if r["support"]]
    micro_p = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    micro_r = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    micro_f1 = 2 * tp_all / (2 * tp_all + fp_all + fn_all) if tp_all + fp_all + fn_all else 0.0
    return {
        "answers": len(gold),
        "themes": rows,
        "micro": {"precision": micro_p, "recall": micro_r, "f1": micro_f1},
        "macro": {
            "precision": _mean([r["precision"] or 0.0 for r in with_support]),
            "recall": _mean([r["recall"] or 0.0 for r in with_support]),
            "f1": _mean([r["f1"] or 0.0 for r in with_support]),
        },
        "exact_match": sum(1 for g in gold if predicted.get(g["id"], set()) == g["themes"]) / len(gold)
        if gold
        else 0.0,
    }


# Confidence bands for "how far can I trust a proposal": lower bounds, highest first.
CONFIDENCE_BANDS = (0.85, 0.7, 0.5, 0.0)


def theme_confidences(gold: list[dict[str, Any]], results: list[Any]) -> list[tuple[float, bool]]:
    """(confidence, right) for every predicted theme; a theme's confidence is its best coding's."""
    truth = {g["id"]: g["themes"] for g in gold}
    items = []
    for r in results:
        best: dict[str, float] = {}
        for c in r.themes:
            best[c["theme"]] = max(best.get(c["theme"], 0.0), c["confidence"])
        items += [(conf, theme in truth[r.id]) for theme, conf in best.items()]
    return items


def by_confidence(gold: list[dict[str, Any]], results: list[Any]) -> list[dict[str, Any]]:
    """Precision of the predicted themes per confidence band."""
    items = theme_confidences(gold, results)
    bands, upper = [], None
    for lower in CONFIDENCE_BANDS:
        inside = [ok for conf, ok in items if conf >= lower and (upper is None or conf < upper)]
        bands.append(
            {
                "from": lower,
                "to": upper,
                "themes": len(inside),
                "correct": sum(inside),
                "precision": sum(inside) / len(inside) if inside else None,
            }
        )
        upper = lower
    return bands


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def evaluate_file(
    path: Path, codebook=None, nlp=None, split: str | None = None, method: str = "regler"
) -> dict[str, Any]:
    """Code the gold file's texts (one split of it, if given) and score them against its themes.

    ``method``: ``regler`` (the rule coder), ``modell`` (the trained text classifier alone) or
    ``kombinerad`` (rules plus the classifier's second opinion, see kb.coding.combine).
    """
    from kb.coding.codebook import DEFAULT_CODEBOOK, load_codebook
    from kb.coding.combine import predict_rows

    codebook = codebook or load_codebook(DEFAULT_CODEBOOK)
    gold = read_gold(path, codebook.ids, split)
    rows = [(g["id"], g["text"], g["kind"]) for g in gold]
    results = predict_rows(rows, codebook, method=method, nlp=nlp)
    predicted = {r.id: r.theme_ids for r in results}
    result = score(gold, predicted, [(t.id, t.kind) for t in codebook.themes])
    result["split"] = split
    result["method"] = method
    result["by_confidence"] = by_confidence(gold, results)
    result["errors"] = [
        {
            "id": g["id"],
            "text": g["text"],
            "missing": sorted(g["themes"] - predicted[g["id"]]),
            "extra": sorted(predicted[g["id"]] - g["themes"]),
        }
        for g in gold
        if predicted[g["id"]] != g["themes"]
    ]
    return result


def format_table(result: dict[str, Any]) -> str:
    """The evaluation as a Markdown table (Swedish headings)."""

    def f(x: float | None) -> str:
        return "–" if x is None else f"{x:.2f}"

    lines = [
        "| tema | typ | precision | täckning (recall) | F1 | stöd | kappa |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in result["themes"]:
        lines.append(
            f"| {r['theme']} | {r['kind']} | {f(r['precision'])} | {f(r['recall'])} | {f(r['f1'])} "
            f"| {r['support']} | {f(r['kappa'])} |"
        )
    m, a = result["micro"], result["macro"]
    lines.append(f"| **mikro** | | {f(m['precision'])} | {f(m['recall'])} | {f(m['f1'])} | | |")
    lines.append(f"| **makro** | | {f(a['precision'])} | {f(a['recall'])} | {f(a['f1'])} | | |")
    if result.get("by_confidence"):
        lines += ["", "| säkerhet | föreslagna teman | rätt | precision |", "| --- | ---: | ---: | ---: |"]
        for b in result["by_confidence"]:
            if b["to"] is None:
                band = f"≥ {b['from']:.2f}"
            elif b["from"] == 0:
                band = f"< {b['to']:.2f}"
            else:
                band = f"{b['from']:.2f}–{b['to']:.2f}"
            lines.append(f"| {band} | {b['themes']} | {b['correct']} | {f(b['precision'])} |")
    lines.append("")
    where = f" (split {result['split']})" if result.get("split") else ""
    method = f", metod {result['method']}" if result.get("method", "regler") != "regler" else ""
    lines.append(
        f"{result['answers']} svar{where}{method}; helt rätt tematuppsättning för {result['exact_match']:.0%}."
    )
    return "\n".join(lines)
