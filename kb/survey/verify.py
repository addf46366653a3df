"""`kb verify`: check the report's published figures against each other and against response rows.

Every check yields findings. A finding is `ok`, `kand` (a known inconsistency of the source, recorded with
an explanation in ingest/report/known_inconsistencies.yml) or `avvikelse` (a discrepancy: verify fails).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass

import sqlite_utils

from kb.core.rounding import round_half_up

OK, KNOWN, DISCREPANCY = "ok", "kand", "avvikelse"

CHECK_LABELS = {
    "t3_average": "Tabell 3: genomsnitt = inrapporterade former / omgångens antal förvaltningar",
    "t4_average": "Tabell 4: genomsnitt = inrapporterade former / antal samverkande förvaltningar",
    "cross_departments": "Tabell 1-4: samma antal förvaltningar per kategori",
    "cross_forms": "Tabell 2-4: samma antal sätt per kategori",
    "cross_reported": "Tabell 3-4: samma antal inrapporterade former per kategori",
    "bounds": "Rimlighet: värden inom möjliga gränser",
    "t7_total": "Tabell 7: kommuntotalen = summan av förvaltningarnas belopp",
    "text_funding_total": "Texten: 50,7 miljoner = tabell 7:s kommuntotal",
    "text_staffed_share": "Texten: 60 % = medelvärdet av tabell 8",
    "text_dialog": "Texten: siffran 59 för dialog = tabell 5",
    "grand_total": "Summan av tabell 3:s inrapporterade former = summan av tabell 5",
    "responses_table1": "Svarsrader återger tabell 1",
    "responses_table2": "Svarsrader återger tabell 2",
    "responses_table3": "Svarsrader återger tabell 3",
    "responses_table4": "Svarsrader återger tabell 4",
    "responses_table5": "Svarsrader återger tabell 5",
    "responses_table6": "Svarsrader återger tabell 6",
    "responses_table7": "Svarsrader återger tabell 7",
    "responses_table8": "Svarsrader återger tabell 8",
}


@dataclass
class Finding:
    check: str
    round: int
    table_no: int | None
    row_id: str
    measure: str
    published: float | str | None
    computed: float | str | None
    status: str = OK
    known_id: str | None = None
    explanation: str | None = None

    @property
    def difference(self) -> float:
        try:
            return abs(float(self.published) - float(self.computed))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return 0.0 if self.published == self.computed else float("inf")


class _Figures:
    """Published figures of one round, looked up by (table, row, measure)."""

    def __init__(self, rows: list[dict]):
        self.by_key = {(r["table_no"], r["row_id"], r["measure"]): r for r in rows}
        self.text = {r["id"].removeprefix(f"{r['round']}-text-"): r for r in rows if r["table_no"] is None}

    def value(self, table_no: int, row_id: str, measure: str) -> float | None:
        row = self.by_key.get((table_no, row_id, measure))
        return row["value"] if row else None

    def rows(self, table_no: int, measure: str) -> dict[str, dict]:
        return {k[1]: r for k, r in self.by_key.items() if k[0] == table_no and k[2] == measure}


def _compare(
    findings: list[Finding],
    check: str,
    round_: int,
    table_no: int | None,
    row_id: str,
    measure: str,
    published,
    computed,
) -> None:
    status = OK if _equal(published, computed) else DISCREPANCY
    findings.append(Finding(check, round_, table_no, row_id, measure, published, computed, status))


def _equal(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return a == b


def _internal_checks(figures: _Figures, round_: int, departments_in_round: int, form_count: int) -> list[Finding]:
    findings: list[Finding] = []
    t1 = figures.rows(1, "departments")
    for table_no, measure in ((4, "average_collaborating"), (3, "average_all")):
        for row_id, row in figures.rows(table_no, measure).items():
            reported = figures.value(table_no, row_id, "reported_forms")
            divisor = departments_in_round if table_no == 3 else figures.value(table_no, row_id, "departments")
            computed = (
                round_half_up(reported, divisor, row["decimals"] or 0) if reported is not None and divisor else None
            )
            _compare(findings, f"t{table_no}_average", round_, table_no, row_id, measure, row["value"], computed)
    for category in t1:
        reference = figures.value(1, category, "departments")
        for table_no in (2, 3, 4):
            _compare(
                findings,
                "cross_departments",
                round_,
                table_no,
                category,
                "departments",
                figures.value(table_no, category, "departments"),
                reference,
            )
        for table_no in (3, 4):
            _compare(
                findings,
                "cross_forms",
                round_,
                table_no,
                category,
                "forms",
                figures.value(table_no, category, "forms"),
                figures.value(2, category, "forms"),
            )
        _compare(
            findings,
            "cross_reported",
            round_,
            4,
            category,
            "reported_forms",
            figures.value(4, category, "reported_forms"),
            figures.value(3, category, "reported_forms"),
        )
        departments = figures.value(3, category, "departments") or 0
        forms = figures.value(3, category, "forms") or 0
        reported = figures.value(3, category, "reported_forms") or 0
        within = max(departments, forms) <= reported <= departments * forms
        _compare(
            findings,
            "bounds",
            round_,
            3,
            category,
            "reported_forms",
            reported,
            reported if within else f"{_plain(max(departments, forms))}-{_plain(departments * forms)}",
        )
        _compare(
            findings,
            "bounds",
            round_,
            1,
            category,
            "departments",
            reference,
            reference if (reference or 0) <= departments_in_round else f"<= {_plain(departments_in_round)}",
        )
        forms2 = figures.value(2, category, "forms") or 0
        _compare(
            findings,
            "bounds",
            round_,
            2,
            category,
            "forms",
            forms2,
            forms2 if forms2 <= form_count else f"<= {_plain(form_count)}",
        )
    max_per_form = figures.text.get("max-per-form")
    for form_id, row in figures.rows(5, "reported").items():
        limit = max_per_form["value"] if max_per_form else departments_in_round * len(t1)
        _compare(
            findings,
            "bounds",
            round_,
            5,
            form_id,
            "reported",
            row["value"],
            row["value"] if (row["value"] or 0) <= limit else f"<= {_plain(limit)}",
        )
    # Table 7 total and the text's figures
    amounts = figures.rows(7, "amount_sek")
    total = amounts.pop("kommuntotal", None)
    summed = sum(r["value"] for r in amounts.values() if r["value"] is not None)
    if total:
        _compare(findings, "t7_total", round_, 7, "kommuntotal", "amount_sek", total["value"], summed)
    text_total = figures.text.get("kommuntotal-utbetalda-medel-text")
    if text_total and total:
        computed = round_half_up(total["value"], 1_000_000, text_total["decimals"] or 0) * 1_000_000
        _compare(
            findings, "text_funding_total", round_, None, "kommuntotal", "amount_sek", text_total["value"], computed
        )
    text_share = figures.text.get("kommuntotal-andel-anstalld-personal")
    shares = [r["value"] for r in figures.rows(8, "share_percent").values() if r["value"] is not None]
    if text_share and shares:
        computed = round_half_up(sum(shares), len(shares), text_share["decimals"] or 0)
        _compare(
            findings, "text_staffed_share", round_, None, "kommuntotal", "share_percent", text_share["value"], computed
        )
    text_dialog = figures.text.get("dialog-aggregerat")
    if text_dialog:
        for form_id in ("dialog-enstaka-tillfalle", "dialog-aterkommande-lopande"):
            _compare(
                findings,
                "text_dialog",
                round_,
                5,
                form_id,
                "reported",
                text_dialog["value"],
                figures.value(5, form_id, "reported"),
            )
    t3 = figures.rows(3, "reported_forms")
    t5 = figures.rows(5, "reported")
    if t3 and t5:  # a round that publishes only one of the two tables has nothing to compare
        t3_sum = sum(r["value"] or 0 for r in t3.values())
        t5_sum = sum(r["value"] or 0 for r in t5.values())
        _compare(findings, "grand_total", round_, 5, "kommuntotal", "reported", t5_sum, t3_sum)
    return findings


def _plain(number: float) -> str:
    """A bound as a reader writes it: 20, not 20.0."""
    return str(int(number)) if float(number).is_integer() else str(number)


_VIEW_CHECKS = [
    # (table_no, view, key column, measures)
    (1, "table1_departments_per_category", "category_id", ["departments"]),
    (2, "table2_forms_per_category", "category_id", ["departments", "forms"]),
    (3, "table3_average_per_category", "category_id", ["departments", "forms", "reported_forms", "average_all"]),
    (
        4,
        "table4_average_per_collaborating",
        "category_id",
        ["departments", "forms", "reported_forms", "average_collaborating"],
    ),
    (5, "table5_reports_per_form", "form_id", ["reported"]),
    (6, "table6_departments_per_goal_area", "goal_area_id", ["departments"]),
    (7, "table7_funding", "department_id", ["amount_sek"]),
    (8, "table8_staffed_share", "department_id", ["share_percent"]),
]


def _response_checks(db: sqlite_utils.Database, figures: _Figures, round_: int) -> list[Finding]:
    findings: list[Finding] = []
    for table_no, view, key, measures in _VIEW_CHECKS:
        computed_rows = {r[key]: r for r in db.query(f"SELECT * FROM [{view}] WHERE round = ?", [round_])}
        for measure in measures:
            published_rows = figures.rows(table_no, measure)
            published_rows.pop("kommuntotal", None)  # a total has no response row of its own
            for row_id, published in published_rows.items():
                row = computed_rows.get(row_id)
                if measure.startswith("average"):
                    exact = row and row.get(f"{measure}_exact")
                    expected = published["value"]
                    computed = round_half_up(exact, 1, published["decimals"] or 0) if exact is not None else None
                elif table_no in (7, 8):
                    expected = (published["value"], published["status"])
                    computed = (row[measure], row["status"]) if row else (None, "saknas")
                else:
                    expected, computed = published["value"], row[measure] if row else 0
                view_name = f"responses_table{table_no}"
                _compare(findings, view_name, round_, table_no, row_id, measure, expected, computed)
    return findings


def _apply_known(findings: list[Finding], known: list[dict]) -> None:
    by_check = defaultdict(list)
    for finding in findings:
        if finding.status == DISCREPANCY:
            by_check[finding.check].append(finding)
    for entry in known:
        bad = by_check.get(entry["check_id"], [])
        rows = set((entry["rows"] or "").split(";")) - {""}
        matching = [
            f
            for f in bad
            if (not rows or f.row_id in rows)
            and (entry["published"] is None or _equal(f.published, entry["published"]))
            and (entry["computed"] is None or _equal(f.computed, entry["computed"]))
        ]
        tolerance = entry["tolerance_total"]
        if tolerance is not None and sum(f.difference for f in matching) > tolerance:
            continue
        for finding in matching:
            finding.status, finding.known_id, finding.explanation = KNOWN, entry["id"], entry["explanation"]


def verify(db: sqlite_utils.Database, round_: int | None = None) -> dict:
    """Run every check on the database; returns findings and a summary (ok is False on a discrepancy)."""
    rounds = [
        r
        for r in db.query("SELECT round, departments FROM rounds ORDER BY round")
        if round_ is None or r["round"] == round_
    ]
    response_rounds = {r["round"] for r in db.query("SELECT DISTINCT round FROM responses")}
    form_count = db["forms"].count
    known = list(db.query("SELECT * FROM known_inconsistencies ORDER BY id"))
    findings: list[Finding] = []
    for r in rounds:
        figures = _Figures(list(db.query("SELECT * FROM published_figures WHERE round = ?", [r["round"]])))
        if not figures.by_key:
            continue
        findings += _internal_checks(figures, r["round"], r["departments"], form_count)
        if r["round"] in response_rounds:
            findings += _response_checks(db, figures, r["round"])
    _apply_known(findings, known)
    counts = defaultdict(int)
    for finding in findings:
        counts[finding.status] += 1
    used = {f.known_id for f in findings if f.known_id}
    return {
        "ok": counts[DISCREPANCY] == 0,
        "rounds": [r["round"] for r in rounds],
        "rounds_with_responses": sorted(response_rounds),
        "checks": dict(sorted(counts.items())),
        "findings": [asdict(f) for f in findings],
        "known_inconsistencies": [
            {"id": k["id"], "check": k["check_id"], "matched": k["id"] in used, "explanation": k["explanation"]}
            for k in known
        ],
    }
