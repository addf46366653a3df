"""Say where a round's response rows come from, and warn plainly when they are a reconstruction."""

from __future__ import annotations

import sqlite3

import click


def reconstruction_notice(conn: sqlite3.Connection, round_: int) -> str | None:
    """The notice to show with results of `round_`, or None when its responses are real survey answers."""
    rows = conn.execute(
        "SELECT DISTINCT s.id, s.title FROM responses r JOIN sources s ON s.id = r.source_id "
        "WHERE r.round = ? AND s.kind = 'rekonstruktion'",
        [round_],
    ).fetchall()
    if not rows:
        return None
    return (
        f"OBS: svarsraderna för {round_} är en rekonstruktion ({rows[0][0]}), förenlig med rapportens tabeller "
        "men inte förvaltningarnas faktiska svar."
    )


def echo_notice(conn: sqlite3.Connection, round_: int, fmt: str) -> None:
    """Print the notice: on stdout before a table for people, on stderr beside JSON/CSV for machines."""
    notice = reconstruction_notice(conn, round_)
    if notice:
        click.echo(notice, err=fmt != "table")
