"""Fuzzing the YAML files a user edits: forum registry, codebook, relevance and ladder (issue 15)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ingest.forums import FORUMS_FILE, load_forums
from ingest.graph_data import LADDER_FILE, RELEVANCE_FILE, load_ladder, load_relevance
from ingest.reference import load_reference
from kb.coding.codebook import DEFAULT_CODEBOOK, load_codebook
from tests.fuzz.conftest import FUZZ, NASTY, check_contract, mutated_yaml

REFERENCE = load_reference()

ALIAS_BOMB = "\n".join(
    ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    + [f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)]
)
NASTY_FILES = [
    ALIAS_BOMB,
    "- name: A\n  kind: råd\n- name: A\n  kind: råd\n",  # duplicate ids
    "- name: A\n  kind: råd\n  url: javascript:alert(1)\n",
    "- name: A\n  kind: råd\n  okänd: 1\n",  # unknown key
    "- name: [1, 2]\n  kind: {a: b}\n  latitude: [x]\n  departments: 7\n",  # wrong types
    "- name: A\n  kind: råd\n  name: B\n",  # a key twice
    "[" * 3000 + "]" * 3000,
    "{a: [b, {c: d}",  # invalid YAML
    "!!python/object/apply:os.system ['echo hej']",
    "a: !!binary aGVq\n",
    "\ufeff- name: Å\n  kind: råd\n",
    "- name: A\n  kind: råd\n  last_verified: 2024-02-30\n",
    "- &x name: A\n  kind: *x\n",
    "",
    "---\n---\n",
]


def _load(loader, text: str, name: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        return check_contract(lambda: loader(path), name)


LOADERS = {
    "forums": (FORUMS_FILE, lambda p: load_forums(p, reference=REFERENCE)),
    "codebook": (DEFAULT_CODEBOOK, load_codebook),
    "relevance": (RELEVANCE_FILE, lambda p: load_relevance(REFERENCE, p)),
    "ladder": (LADDER_FILE, lambda p: load_ladder(REFERENCE, p)),
}


@pytest.mark.parametrize("kind", sorted(LOADERS))
@pytest.mark.parametrize("text", NASTY_FILES, ids=range(len(NASTY_FILES)))
def test_nasty_files_are_refused_with_a_message(kind, text):
    _load(LOADERS[kind][1], text, f"{kind}.yml")


def test_alias_bomb_is_refused_by_size_not_memory():
    refusal = _load(LOADERS["forums"][1], ALIAS_BOMB, "forums.yml")
    assert refusal is not None and "alias" in str(refusal)


def test_javascript_url_is_refused():
    refusal = _load(LOADERS["forums"][1], "- name: A\n  kind: råd\n  url: javascript:alert(1)\n", "forums.yml")
    assert refusal is not None and any(e.column == "url" and e.row == 1 for e in refusal.errors)


def test_absurdly_large_file_is_refused_with_a_clear_message():
    refusal = _load(LOADERS["codebook"][1], "# x\n" * 2_000_000, "codebook.yml")
    assert refusal is not None and "för stor" in str(refusal)


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_mutated_source_files(kind):
    original, loader = LOADERS[kind]

    @settings(FUZZ, max_examples=25 if kind == "codebook" else 60)  # the codebook takes 0.4 s a load
    @given(text=mutated_yaml(original))
    @example(text=original.read_text(encoding="utf-8"))
    def run(text):
        _load(loader, text, f"{kind}.yml")

    run()


@FUZZ
@given(text=st.text(max_size=300))
def test_arbitrary_text_as_forum_registry(text):
    _load(LOADERS["forums"][1], text, "forums.yml")


def test_regression_ladder_step_that_is_a_list():
    """Found by hypothesis: `step: []` crashed with "unhashable type: 'list'"."""
    text = LADDER_FILE.read_text(encoding="utf-8").replace("step: information", "step: []", 1)
    refusal = _load(LOADERS["ladder"][1], text, "ladder.yml")
    assert refusal is not None and any(e.column == "step" and e.row for e in refusal.errors)


def test_regression_pattern_op_that_is_a_list():
    """Found by hypothesis: a pattern token `OP: [...]` crashed with "unhashable type: 'list'"."""
    text = DEFAULT_CODEBOOK.read_text(encoding="utf-8")
    assert "OP: " in text
    start = text.index("OP: ")
    end = text.index("}", start)
    refusal = _load(LOADERS["codebook"][1], text[:start] + "OP: [x, y]" + text[end:], "codebook.yml")
    assert refusal is not None and any("ogiltig OP" in e.message and e.row for e in refusal.errors)


@pytest.mark.parametrize("text", [*NASTY_FILES, "Avdelning: Förvaltning\n", "- a\n- b\n", "a: {b: c}\n"])
def test_column_map_files(text):
    from ingest.forms import load_column_map

    _load(load_column_map, text, "karta.yml")


@FUZZ
@given(text=st.text(max_size=200))
def test_arbitrary_text_as_column_map(text):
    from ingest.forms import load_column_map

    _load(load_column_map, text, "karta.yml")


@FUZZ
@given(cells=st.lists(st.lists(NASTY, min_size=0, max_size=16), max_size=4), raw=st.binary(max_size=60))
@example(cells=[["x", "s", "t", "abc", "", "", "", "", "nan?", "granskare-1", "accepterad"]], raw=b"")
def test_decisions_file(cells, raw):
    """The human-decisions file is replayed at every build; a hand-edited or conflicted one must not crash."""
    import csv as csv_module
    import io

    from kb.coding.decisions import COLUMNS, load_decisions

    buffer = io.StringIO()
    writer = csv_module.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(cells)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "coding_decisions.csv"
        path.write_bytes(buffer.getvalue().encode("utf-8", errors="replace") + raw)
        check_contract(lambda: load_decisions(path), path.name)
