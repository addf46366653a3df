"""The README's figure beside each measured one, so a stale README figure is visible at once.

A figure is found by a key: a piece of the first cell of a row in any Markdown table of README.md; the
figure is the ``index``-th number in that row's second cell (thousands separators "," ignored).
Usage in a bench script::

    from readme_figures import report
    report("kb verify", seconds, "s", key="`kb verify`")

prints ``kb verify: 0.01 s   (README: 0.01 s, ratio 1.00)`` or ``(README: no figure for ...)``.
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def table_rows(text: str | None = None) -> list[list[str]]:
    """Every Markdown table row of the README as its cells (header and separator rows included)."""
    text = README.read_text(encoding="utf-8") if text is None else text
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.lstrip().startswith("|")
    ]


def readme_figure(key: str, index: int = 0, text: str | None = None, column: int = 1) -> float | None:
    """The ``index``-th number in cell ``column`` (default the second) of the first table row whose first
    cell contains ``key``."""
    for cells in table_rows(text):
        if len(cells) > column and key in cells[0]:
            numbers = _NUMBER.findall(cells[column])
            return float(numbers[index].replace(",", "")) if index < len(numbers) else None
    return None


def report(
    label: str, measured: float, unit: str, key: str, index: int = 0, digits: int = 2, column: int = 1
) -> None:
    """Print the measured figure, the README's figure for ``key`` and measured / README."""
    figure = readme_figure(key, index, column=column)
    if figure is None:
        note = f"README: no figure for {key!r}"
    else:
        ratio = measured / figure if figure else float("inf")
        flag = "  <-- README stale?" if not 0.67 <= ratio <= 1.5 else ""
        note = f"README: {figure:g} {unit}, ratio {ratio:.2f}{flag}"
    print(f"{label}: {measured:.{digits}f} {unit}   ({note})", flush=True)
