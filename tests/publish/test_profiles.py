"""Issue 14 without a browser: Swedish numbers, profile pages, links to them, Swedish chrome, the response cache."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from pathlib import Path

import pytest
import sqlite_utils

import datasette
from kb.publish import swedish
from kb.publish.cache import ResponseCache, cacheable_request, wrap
from kb.publish.profiles import error_in_swedish
from kb.publish.serve import STATIC, TEMPLATES, make_datasette

NB = "\u00a0"
VOF = "vard-och-omsorgsforvaltningen"

# Datasette's English chrome; none may show on a page a reader reaches (the browser test crawls for them too).
ENGLISH_CHROME = [
    "rows where", " row)", " rows<", "View and edit SQL", "Advanced export", "Next page", "Suggested facets",
    "This data as", "Custom SQL query", "Run SQL", "Format SQL", "Powered by", "Data license", "Data source",
    "Links from other tables", "Query parameters", "JSON shape", "CSV options", "Export CSV", "download file",
    "expand labels", "- remove filter -", "- column -", ">Apply<", "Sort...", "descending", "0 records",
    "Table actions", "Download SQLite DB", ">Queries<", ">Tables<", ">Views<", "hidden table", "Many rows",
    "Error 404", "Table not found", "Record not found", "These facets timed out", "Search:",
]


def visible_text(page: str) -> str:
    page = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>|<!--.*?-->", " ", page)
    return html.unescape(page)


def test_numbers_in_swedish_format():
    assert swedish.number(1234567) == f"1{NB}234{NB}567"
    assert swedish.number(12.5) == "12,5"
    assert swedish.number(2.456, 2) == "2,46"
    assert swedish.kronor(250000) == f"250{NB}000{NB}kr"
    assert swedish.percent(80.0) == f"80{NB}%"
    assert swedish.number(None) == "" and swedish.kronor(None) == ""
    assert swedish.rows_word(1) == "1 rad" and swedish.rows_word(1500) == f"1{NB}500 rader"
    assert swedish.file_size(1_396_736) == f"1,3{NB}MB"


def test_filter_description_in_swedish():
    text = swedish.describe([("kind", "exact", "positivt"), ("round", "gte", "2022")], "tid", "", "position")
    assert text == 'där söker "tid", kind = "positivt" och round ≥ 2022 sorterat på position fallande'
    assert swedish.describe([], "", "", "") == ""
    assert swedish.describe([("id", "in", "a,b")]) == 'där id är en av "a", "b"'


def test_error_messages_in_swedish():
    assert error_in_swedish("Table not found") == "Tabellen finns inte"
    assert error_in_swedish("no such column: x") == "Kolumnen finns inte: x"
    assert error_in_swedish("Något annat") == "Något annat"


def test_department_profile(ds, get, publish_db_path):
    response = get(ds, f"/forvaltning/{VOF}")
    assert response.status_code == 200
    text = response.text
    assert "Förvaltningsprofil" in text and "<h1>Vård- och omsorgsförvaltningen</h1>" in text
    db = sqlite_utils.Database(publish_db_path)
    amount = db.execute("SELECT amount_sek FROM funding WHERE department_id = ?", [VOF]).fetchone()[0]
    assert swedish.kronor(amount) in text and f"{amount}" not in text.replace(swedish.kronor(amount), "")
    share = db.execute("SELECT share_percent FROM staffed_share WHERE department_id = ?", [VOF]).fetchone()[0]
    assert swedish.percent(share) in text
    categories = [r[0] for r in db.execute("SELECT DISTINCT category_id FROM collaborations WHERE department_id = ?",
                                            [VOF])]
    linked = set(re.findall(r'href="/kategori/([^"]+)"', text))
    assert linked == set(categories) and len(categories) > 3
    assert "reconstruction-notice" in text  # the 2022 responses are reconstructed
    forums = {r[0] for r in db.execute(
        "SELECT forum_id FROM forum_departments WHERE department_id = ? UNION "
        "SELECT id FROM forums WHERE organiser_department_id = ?", [VOF, VOF])}
    assert set(re.findall(r'href="/samverkan/forums/([^"]+)"', text)) == forums
    assert "Största luckorna" in text and "Teman i fritextsvaren" in text


def test_category_and_goal_area_profiles(ds, get, publish_db_path):
    db = sqlite_utils.Database(publish_db_path)
    text = get(ds, "/kategori/socialt-foretag").text
    departments = {r[0] for r in db.execute(
        "SELECT DISTINCT department_id FROM collaborations WHERE category_id = 'socialt-foretag'")}
    assert set(re.findall(r'href="/forvaltning/([^"]+)"', text)) == departments
    gaps = db.execute("SELECT COUNT(*) FROM gaps WHERE category_id = 'socialt-foretag'").fetchone()[0]
    assert gaps > 0 and "Socialt företag × " in text
    text = get(ds, "/delmalomrade/cirkular-ekonomi").text
    departments = {r[0] for r in db.execute(
        "SELECT department_id FROM department_goal_areas WHERE goal_area_id = 'cirkular-ekonomi'")}
    assert set(re.findall(r'href="/forvaltning/([^"]+)"', text)) == departments
    index = get(ds, "/profiler").text
    assert len(re.findall(r'href="/(?:forvaltning|kategori|delmalomrade)/', index)) == 9 + 15 + 17


def test_unknown_profile_is_a_swedish_404(ds, get):
    response = get(ds, "/forvaltning/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.text and "finns-inte" in response.text


def test_rows_naming_a_department_category_or_goal_area_link_to_its_profile(ds, get):
    text = get(ds, "/samverkan/collaborations?_size=5").text
    assert re.search(r'<a href="/forvaltning/[^"]+" class="kb-profile-cell">[^<]+</a>', text)
    assert re.search(r'<a href="/kategori/[^"]+" class="kb-profile-cell">', text)
    text = get(ds, "/samverkan/departments").text
    assert f'<a href="/forvaltning/{VOF}" class="kb-profile-cell">Vård- och omsorgsförvaltningen</a>' in text
    text = get(ds, "/samverkan/department_goal_areas?_size=3").text
    assert 'href="/delmalomrade/' in text
    row = get(ds, f"/samverkan/departments/{VOF}").text
    assert f'href="/forvaltning/{VOF}"' in row and "Profilsidan" in row


@pytest.fixture(scope="module")
def extended_ds(tmp_path_factory, publish_db_path):
    """The build plus a lineage row (issue 11's table, empty in the committed data) naming the department."""
    path = tmp_path_factory.mktemp("extended") / "samverkan.db"
    shutil.copyfile(publish_db_path, path)
    db = sqlite_utils.Database(path)
    db["department_lineage"].insert({"predecessor_id": "aldre-namn", "successor_id": VOF, "kind": "renamed",
                                     "round": 2024, "source_url": "https://example.org/test",
                                     "note": "namnbyte (testrad)", "source_file": "test", "position": 1})
    db.close()
    return make_datasette(path)


def test_lineage_shows_once_the_department_has_some(ds, extended_ds, get):
    assert "Förvaltningen över omgångarna" not in get(ds, f"/forvaltning/{VOF}").text
    text = get(extended_ds, f"/forvaltning/{VOF}").text
    assert "Förvaltningen över omgångarna" in text and "namnbyte (testrad)" in text and "aldre-namn" in text
    assert "nytt namn" in text and 'href="https://example.org/test"' in text


def test_agreements_of_the_registry_are_listed_on_the_profiles_they_concern(ds, get, publish_db_path):
    db = sqlite_utils.Database(publish_db_path)
    for path, table, column, entity in (("/kategori", "agreement_categories", "category_id", "socialt-foretag"),
                                        ("/kategori", "agreement_categories", "category_id", "idrottsforening"),
                                        ("/delmalomrade", "agreement_goal_areas", "goal_area_id",
                                         "manskliga-rattigheter-och-demokrati")):
        linked = [r[0] for r in db.execute(f"SELECT agreement_id FROM {table} WHERE {column} = ?", [entity])]
        text = get(ds, f"{path}/{entity}").text
        assert "Överenskommelser och avtal" in text
        for agreement_id in linked:
            assert f'href="/samverkan/agreements/{agreement_id}"' in text
        if not linked:
            assert "Inga överenskommelser i registret är kopplade hit." in text


PAGES = [
    "/", "/samverkan", "/samverkan/forums", "/samverkan/statements?_search=tid", f"/samverkan/departments/{VOF}",
    "/samverkan/collaborations?department_id=miljokontoret&_sort_desc=form_id", "/samverkan/tabell_1",
    "/samverkan?sql=select+*+from+departments", "/samverkan/nope", "/samverkan/departments/nope",
    "/samverkan?sql=select+nope", f"/forvaltning/{VOF}", "/profiler", "/samverkan/published_figures",
]


@pytest.mark.parametrize("path", PAGES)
def test_no_english_chrome(ds, get, path):
    text = visible_text(get(ds, path).text)
    assert [s for s in ENGLISH_CHROME if s in text] == []


def test_table_page_chrome_is_swedish(ds, get):
    text = get(ds, "/samverkan/statements?kind=positivt&_facet=round").text
    assert re.search(r"\d+ rader\s+där kind = &#34;positivt&#34;|\d+ rader\s+där kind = \"positivt\"", text)
    assert "Hämta uppgifterna som" in text and "Fler sätt att hämta uppgifterna" in text
    assert ">innehåller</option>" in text and "Sök:" in text
    assert 'data-label="text"' in text and 'data-allow-facet="true"' in text
    assert "/static/table-sv.js" in text and "/-/static/table.js" not in text


def test_our_pages_have_no_inline_scripts(ds, get):
    """Issue 19 drops 'unsafe-inline' from the CSP: our templates carry their JavaScript in /static files.
    (Datasette's plugins' body scripts are issue 19's.)"""
    for path in ("/samverkan/statements", f"/samverkan/departments/{VOF}", "/samverkan/tabell_1", "/samverkan",
                 f"/forvaltning/{VOF}", "/profiler"):
        text = get(ds, path).text
        ours = re.sub(r"(?s)<script[^>]*>\s*(\[\]|window\.datasette.*?|document\.addEventListener\(\"DOMContentLoaded\""
                      r".*?)</script>", "", text)  # plugin body scripts (cluster map, map guard)
        assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", ours) == [], path
        assert " onclick=" not in text and " onload=" not in text


def test_upstream_static_files_we_translated_have_not_changed():
    recorded = json.loads((TEMPLATES / "upstream-hashes.json").read_text(encoding="utf-8"))
    upstream = Path(datasette.__file__).parent / "static"
    for name, entry in recorded["static"].items():
        assert hashlib.sha256((upstream / name).read_bytes()).hexdigest() == entry["sha256"], name
        assert (STATIC / entry["ours"]).exists()
    for name in ("table.html", "row.html", "query.html", "database.html", "error.html", "_facet_results.html",
                 "_suggested_facets.html", "_table.html", "_footer.html"):
        assert name in recorded["templates"]


def test_response_cache_answers_a_repeated_page_from_memory(ds, get, loop):
    calls = []

    async def app(scope, receive, send):
        calls.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": f"sida {len(calls)}".encode()})

    cached = wrap(app, ResponseCache())
    bodies = []

    async def request(path, query=b"", host=b"a"):
        async def send(event):
            if event["type"] == "http.response.body":
                bodies.append(event["body"])

        scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "headers": [(b"host", host)]}
        await cached(scope, None, send)

    for path, query in [("/a", b""), ("/a", b""), ("/a", b"x=1"), ("/samverkan", b"sql=select+1"),
                        ("/samverkan", b"sql=select+1")]:
        loop.run_until_complete(request(path, query))
    loop.run_until_complete(request("/a", b"", b"b"))  # another Host: Datasette's absolute links differ
    assert calls == ["/a", "/a", "/samverkan", "/samverkan", "/a"]
    assert bodies == [b"sida 1", b"sida 1", b"sida 2", b"sida 3", b"sida 4", b"sida 5"]
    # through Datasette: the same page twice, and the guard outside the cache still adds its headers
    first, second = get(ds, "/samverkan/forums?_kb=cachetest"), get(ds, "/samverkan/forums?_kb=cachetest")
    assert first.status_code == second.status_code == 200 and first.text == second.text
    assert second.headers["content-security-policy"]


def test_what_the_cache_leaves_alone():
    def scope(path, query=b"", method="GET", headers=()):
        return {"type": "http", "method": method, "path": path, "query_string": query, "headers": list(headers)}

    assert cacheable_request(scope("/samverkan/forums"))
    assert not cacheable_request(scope("/samverkan", b"sql=select+1"))
    assert not cacheable_request(scope("/samverkan/forums", b"_where=1"))
    assert not cacheable_request(scope("/samverkan.db"))
    assert not cacheable_request(scope("/-/versions.json"))
    assert not cacheable_request(scope("/samverkan/forums", method="HEAD"))
    assert not cacheable_request(scope("/", headers=[(b"cookie", b"ds_actor=x")]))
    cache = ResponseCache(max_entries=2, max_total=10)
    cache.put(("a", b""), 200, [], b"12345")
    cache.put(("b", b""), 200, [], b"12345")
    cache.put(("c", b""), 200, [], b"1")
    assert list(cache.entries) == [("b", b""), ("c", b"")] and cache.total == 6


def test_names_in_views_and_canned_queries_link_to_profiles(ds, get):
    text = get(ds, "/samverkan/tabell_1").text
    assert '<a href="/kategori/socialt-foretag" class="kb-profile-cell">Socialt företag</a>' in text
    text = get(ds, "/samverkan/table7_funding").text
    assert f'<a href="/forvaltning/{VOF}" class="kb-profile-cell">Vård- och omsorgsförvaltningen</a>' in text
    text = get(ds, "/samverkan/luckor?kategori=socialt-foretag&delmalomrade=").text
    assert 'href="/delmalomrade/' in text
    # a name no entity has stays text
    text = get(ds, "/samverkan?sql=select+'Ingen+sådan'+as+kategori").text
    assert "Ingen sådan" in text and 'class="kb-profile-cell">Ingen sådan' not in text
