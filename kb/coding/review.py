"""The terminal review workflow: a human coder accepts, rejects, adds and undoes codings.

Resumable: it always continues with the least confident coding still proposed (``forslag``); decisions are
stored at once with the coder's name and time (kb.coding.store.decide / add_human_coding).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
import sqlite_utils

from kb.coding.store import ACCEPTED, REJECTED, add_human_coding, decide, undo_last

HELP = "[a] acceptera  [r] avvisa  [t] lägg till tema  [s] hoppa över  [u] ångra  [q] avsluta"


def highlight(text: str, start: int | None, end: int | None) -> str:
    """The text with the span [start, end) marked (bold, and with » « when not a terminal)."""
    if start is None or end is None:
        return text
    return text[:start] + click.style(f"»{text[start:end]}«", bold=True, fg="yellow") + text[end:]


# A machine coding this coder has not judged yet: neither decided on it, nor made a decision of their own on
# the same statement, theme and span. Another coder's decision does not count, so two humans can both judge
# every proposal and `kb code agreement` can compare them.
_UNJUDGED = """
    c.coder LIKE 'regel:%' AND c.negated = 0 AND (c.status = 'forslag' OR c.decided_by != :coder)
    AND NOT EXISTS (SELECT 1 FROM codings h WHERE h.statement_id = c.statement_id AND h.theme_id = c.theme_id
                    AND h.start IS c.start AND h."end" IS c."end" AND (h.decided_by = :coder OR h.coder = :coder))
"""


def _below(under: float | None) -> str:
    return "" if under is None else " AND (c.confidence IS NULL OR c.confidence < :under)"


def next_proposal(
    db: sqlite_utils.Database, skipped: set[str], coder: str = "", under: float | None = None
) -> dict[str, Any] | None:
    """The least confident machine proposal the coder has not judged and has not skipped in this session.

    Ordered by uncertainty: lowest confidence first (rule layer blended with the model's score, see
    kb.coding.combine), then by statement and position. With ``under``, only proposals whose confidence
    is below it (the rest are left as they are).
    """
    for row in db.query(
        "SELECT c.*, s.text AS statement_text, s.kind AS statement_kind, t.label "
        "FROM codings c JOIN statements s ON s.id = c.statement_id LEFT JOIN themes t ON t.id = c.theme_id "
        f"WHERE {_UNJUDGED}{_below(under)} "
        "ORDER BY c.confidence IS NULL, c.confidence, c.statement_id, c.start, c.theme_id",
        {"coder": coder, "under": under},
    ):
        if row["id"] not in skipped:
            return row
    return None


def run_review(
    db: sqlite_utils.Database,
    coder: str,
    prompt: Callable[[str], str] | None = None,
    echo: Callable[[str], None] = click.echo,
    under: float | None = None,
) -> dict[str, int]:
    """Run the review loop until nothing is left (below ``under``, if given) or the coder quits; returns counts."""
    prompt = prompt or (lambda label: click.prompt(label, default="s", show_default=False))
    theme_ids = [r[0] for r in db.execute("SELECT id FROM themes WHERE is_group = 0 ORDER BY kind, position")]
    counts = {"accepterade": 0, "avvisade": 0, "tillagda": 0, "ångrade": 0}
    skipped: set[str] = set()
    params = {"coder": coder, "under": under}
    left = db.execute(f"SELECT COUNT(*) FROM codings c WHERE {_UNJUDGED}{_below(under)}", params).fetchone()[0]
    limit = "" if under is None else f" med säkerhet under {under:.2f}"
    echo(f"{left} förslag{limit} att granska. {HELP}")
    while True:
        row = next_proposal(db, skipped, coder, under)
        if row is None:
            echo("Inga fler förslag att granska.")
            break
        echo("")
        echo(f"Svar {row['statement_id']} ({row['statement_kind'] or 'okänd typ'}):")
        echo("  " + highlight(row["statement_text"], row["start"], row["end"]))
        model = f", modellen {row['model_score']:.2f}" if row.get("model_score") is not None else ""
        echo(
            f"Tema: {row['theme_id']} – {row['label'] or ''}  "
            f"(regel {row['rule']}{model}, säkerhet {row['confidence']:.2f})"
        )
        answer = prompt("Beslut").strip().lower()[:1]
        if answer == "a":
            decide(db, row["id"], ACCEPTED, coder)
            counts["accepterade"] += 1
        elif answer == "r":
            decide(db, row["id"], REJECTED, coder)
            counts["avvisade"] += 1
        elif answer == "t":
            theme = prompt("Tema att lägga till (id)").strip()
            if theme in theme_ids:
                add_human_coding(db, row["statement_id"], theme, coder)
                counts["tillagda"] += 1
            else:
                echo(f"Okänt tema {theme!r}. Giltiga: {', '.join(theme_ids)}")
        elif answer == "u":
            undone = undo_last(db, coder)
            echo("Ångrade senaste beslutet." if undone else "Inget att ångra.")
            if undone:
                counts["ångrade"] += 1
                skipped.discard(undone["coding_id"])
        elif answer == "q":
            echo("Avslutar; fortsätt senare där du slutade.")
            break
        elif answer == "s":
            skipped.add(row["id"])
        else:
            echo(HELP)
    return counts
