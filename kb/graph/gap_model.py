"""The data gap scoring works on: incidence (who does what), relevance matrices and the forum registry."""

from __future__ import annotations

from dataclasses import dataclass, field

CATEGORY_GOAL, GOAL, CATEGORY_FORM, FORUM, THEME = "kategori-delmal", "delmal", "kategori-form", "forum", "tema"
GAP_TYPES = (CATEGORY_GOAL, GOAL, CATEGORY_FORM, FORUM, THEME)
Z_MIN_N = 100
JACKKNIFE_GROUPS = 20
MAX_BROKERS = 10


@dataclass
class Incidence:
    """Who does what in a round, as sets of department ids."""

    departments: list[str]
    categories: dict[str, set[str]]  # category -> departments collaborating with it
    goals: dict[str, set[str]]  # goal area -> departments reporting it
    forms: dict[str, set[str]]  # form -> departments using it with any category
    category_form: dict[tuple[str, str], set[str]]  # (category, form) -> departments using that form with it
    category_goal: dict[tuple[str, str], set[str]] | None = None  # direct links, when a round asked for them

    @classmethod
    def from_rows(
        cls,
        departments: list[str],
        categories: list[str],
        goals: list[str],
        forms: list[str],
        collaborations: list[tuple[str, str, str]],
        department_goals: list[tuple[str, str]],
        category_goal_links: list[tuple[str, str, str]] | None = None,
    ) -> Incidence:
        inc = cls(
            departments=list(departments),
            categories={c: set() for c in categories},
            goals={g: set() for g in goals},
            forms={f: set() for f in forms},
            category_form={},
        )
        answering = set(departments)
        for d, c, f in collaborations:
            if d in answering and c in inc.categories and f in inc.forms:
                inc.categories[c].add(d)
                inc.forms[f].add(d)
                inc.category_form.setdefault((c, f), set()).add(d)
        for d, g in department_goals:
            if d in answering and g in inc.goals:
                inc.goals[g].add(d)
        if category_goal_links:
            inc.category_goal = {}
            for d, c, g in category_goal_links:
                if d in answering:
                    inc.category_goal.setdefault((c, g), set()).add(d)
        return inc

    @property
    def n(self) -> int:
        return len(self.departments)

    def without(self, drop: set[str]) -> Incidence:
        """The same incidence with some departments left out."""

        def cut(mapping: dict) -> dict:
            return {k: v - drop for k, v in mapping.items()}

        return Incidence(
            departments=[d for d in self.departments if d not in drop],
            categories=cut(self.categories),
            goals=cut(self.goals),
            forms=cut(self.forms),
            category_form=cut(self.category_form),
            category_goal=cut(self.category_goal) if self.category_goal is not None else None,
        )


@dataclass
class Relevance:
    """The curated relevance matrices (0-3) from ingest/relevance.yml, every cell filled."""

    cell: dict[tuple[str, str], int]  # (category, goal area)
    goal: dict[str, int]
    form: dict[tuple[str, str], int]  # (category, form)

    @classmethod
    def from_records(cls, records: list[dict]) -> Relevance:
        rel = cls({}, {}, {})
        for r in records:
            if r["kind"] == CATEGORY_GOAL:
                rel.cell[r["category_id"], r["goal_area_id"]] = r["relevance"]
            elif r["kind"] == GOAL:
                rel.goal[r["goal_area_id"]] = r["relevance"]
            elif r["kind"] == CATEGORY_FORM:
                rel.form[r["category_id"], r["form_id"]] = r["relevance"]
        return rel


@dataclass
class Forums:
    """The forum registry: forum -> the departments, categories, goal areas and forms it covers."""

    labels: dict[str, str]
    departments: dict[str, set[str]] = field(default_factory=dict)
    categories: dict[str, set[str]] = field(default_factory=dict)
    goals: dict[str, set[str]] = field(default_factory=dict)
    forms: dict[str, set[str]] = field(default_factory=dict)

    def covering(self, kind: str, entity_id: str) -> list[str]:
        mapping = {"category": self.categories, "goal_area": self.goals, "form": self.forms}[kind]
        return sorted(f for f, covered in mapping.items() if entity_id in covered)

    def member_departments(self) -> set[str]:
        return set().union(*self.departments.values()) if self.departments else set()


# ---------------------------------------------------------------- scoring
