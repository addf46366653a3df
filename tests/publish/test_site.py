"""The publication through Datasette's test client: pages, Swedish templates, canned queries, JSON."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

import datasette
from ingest.forums import FORUMS_FILE, load_forums
from kb.publish.serve import TEMPLATES, datasette_args, load_metadata

PAGES = ["/", "/om", "/diagram", "/forum", "/natverk", "/samverkan", "/samverkan/forums", "/samverkan/statements"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_swedish_and_ok(ds, get, path):
    response = get(ds, path)
    assert response.status_code == 200, response.text[:500]
    assert '<html lang="sv">' in response.text
    assert "Licens:" in response.text and "CC0 1.0" in response.text


def test_index_links_every_canned_query_of_the_report(ds, get):
    text = get(ds, "/").text
    for n in range(1, 9):
        assert f'href="/samverkan/tabell_{n}"' in text
    assert 'href="/samverkan/diagram_1"' in text and 'href="/samverkan/kontroller"' in text


def test_upstream_templates_we_copied_have_not_changed():
    """When a Datasette upgrade changes one of these, update ours and the hash in upstream-hashes.json."""
    recorded = json.loads((TEMPLATES / "upstream-hashes.json").read_text(encoding="utf-8"))
    upstream = Path(datasette.__file__).parent / "templates"
    for name, digest in recorded["templates"].items():
        assert hashlib.sha256((upstream / name).read_bytes()).hexdigest() == digest, (
            f"Datasettes {name} har ändrats sedan {recorded['datasette_version']}: gå igenom vår kopia"
        )
        assert (TEMPLATES / name).exists()


def test_serve_arguments_carry_the_same_configuration(publish_db_path):
    args = datasette_args(publish_db_path, port=9000)
    assert args[:3] == ["serve", "-i", str(publish_db_path)]
    assert "--metadata" in args and "--template-dir" in args
    settings = {args[i + 1]: args[i + 2] for i, a in enumerate(args) if a == "--setting"}
    assert settings["sql_time_limit_ms"] == "1500" and int(settings["num_sql_threads"]) > 3


def test_settings_are_applied(ds):
    assert ds.setting("sql_time_limit_ms") == 1500
    assert ds.setting("max_returned_rows") == 2000
    assert ds.setting("num_sql_threads") == 8


def test_search_works_on_statements_and_forums(ds, get):
    rows = get(ds, "/samverkan/statements.json?_search=tid&_shape=array").json()
    assert any(r["text"] == "Tid" for r in rows)
    rows = get(ds, "/samverkan/forums.json?_search=kontaktpersoner&_shape=array").json()
    assert [r["id"] for r in rows] == ["c-natverket"]


def test_forums_of_a_category_or_goal_area(ds, get):
    seed = load_forums(FORUMS_FILE)
    rows = get(ds, "/samverkan/forum.json?kategori=Församling/trossamfund&delmalomrade=&_shape=array").json()
    expected = [r["name"] for r in seed if "forsamling-trossamfund" in r["links"]["categories"]]
    assert "Partnerskap Örebro" in expected
    assert sorted(r["forum"] for r in rows) == sorted(expected)
    rows = get(ds, "/samverkan/forum.json?kategori=&delmalomrade=&_shape=array").json()
    assert len(rows) == len(seed)


def test_verify_findings_query(ds, get):
    rows = get(ds, "/samverkan/kontroller.json?status=kand&_shape=array").json()
    assert {r["känd inkonsekvens"] for r in rows} >= {
        "andel-anstalld-personal-60-procent",
        "tabell5-summa-mot-tabell3",
    }
    assert all(r["utfall"] == "känd inkonsekvens" for r in rows)


def test_metadata_is_swedish_with_source_and_licence():
    metadata = load_metadata()
    assert metadata["license"].startswith("CC0 1.0")
    assert "creativecommons.org/publicdomain/zero/1.0" in metadata["license_url"]
    assert "Inventering av samverkan" in metadata["source"]
    assert set(metadata["plugins"]) >= {"samverkan-kb", "datasette-cluster-map"}
    for table in metadata["databases"]["samverkan"]["tables"].values():
        assert "plugins" not in table  # in 0.65 a table-level block would replace the root one


def test_every_table_view_and_column_a_user_sees_is_described(publish_db_path):
    import sqlite_utils

    tables = load_metadata()["databases"]["samverkan"]["tables"]
    db = sqlite_utils.Database(publish_db_path)
    missing = []
    for name in db.table_names() + db.view_names():
        if re.search(r"_fts(_|$)", name) or name.startswith("sqlite_"):
            continue
        meta = tables.get(name)
        if not meta or not meta.get("description"):
            missing.append(name)
            continue
        if meta.get("hidden"):
            continue
        missing += [f"{name}.{c}" for c in db[name].columns_dict if c not in (meta.get("columns") or {})]
    assert not missing


def test_theme_matrix_describes_every_theme_column_with_its_codebook_label(publish_db_path):
    import sqlite_utils
    import yaml

    from kb.core.paths import ROOT

    columns = load_metadata()["databases"]["samverkan"]["tables"]["theme_matrix"]["columns"]
    codebook = yaml.safe_load((ROOT / "ingest" / "codebook.yml").read_text(encoding="utf-8"))
    labels = {t["id"]: t["label"] for t in codebook["themes"]}
    view = sqlite_utils.Database(publish_db_path)["theme_matrix"].columns_dict
    assert list(view)[:4] == ["statement_id", "round", "kind", "department_id"]
    assert set(view) - {"statement_id", "round", "kind", "department_id"} == set(labels) and len(labels) == 35
    for theme, label in labels.items():
        assert columns[theme] == f"1 om svaret kodats med temat {label}."


def test_sqlite_internal_tables_are_hidden(ds, get, publish_db_path):
    import sqlite_utils

    internal = [n for n in sqlite_utils.Database(publish_db_path).table_names() if n.startswith("sqlite_")]
    tables = load_metadata()["databases"]["samverkan"]["tables"]
    assert all(tables[n]["hidden"] is True for n in internal)
    shown = {t["name"]: t["hidden"] for t in get(ds, "/samverkan.json").json()["tables"]}
    assert not [n for n in internal if n in shown and not shown[n]]


def test_label_columns_and_facets_name_real_columns(publish_db_path):
    import sqlite_utils

    db = sqlite_utils.Database(publish_db_path)
    for name, meta in load_metadata()["databases"]["samverkan"]["tables"].items():
        if not db[name].exists() and name not in db.view_names():
            continue
        columns = set(db[name].columns_dict)
        for column in [meta.get("label_column"), meta.get("sort"), *(meta.get("facets") or [])]:
            assert column is None or column in columns, (name, column)


def test_canned_query_parameters_are_cast_where_compared_with_numbers():
    for name, query in load_metadata()["databases"]["samverkan"]["queries"].items():
        assert query["title"] and query["description"]
        if ":omgang" in query["sql"]:
            assert "CAST(:omgang AS INTEGER)" in query["sql"], name


def test_network_page_names_every_node_type_with_its_colour(ds, get):
    import html

    from kb.publish.serve import STATIC

    text = html.unescape(get(ds, "/natverk").text)
    intro = text[text.index("<h1>Nätverket</h1>") : text.index('<fieldset class="kb-filters">')]
    for word in ("Forum", "förvaltningar", "kategorier", "delmålområden", "samverkansformer", "teman",
                 "utvecklingsområden"):
        assert word in intro
    script = (STATIC / "network.js").read_text(encoding="utf-8")
    colours = dict(re.findall(r'(\w+): "(#[0-9a-f]{6})"', script[script.index("COLOURS") :]))
    swatches = re.findall(r'class="kb-swatch" data-kind="(\w+)" style="background: (#[0-9a-f]{6})"', text)
    assert len(swatches) == 7 and all(colours[kind] == colour for kind, colour in swatches)
    assert "wheelSensitivity" not in script
