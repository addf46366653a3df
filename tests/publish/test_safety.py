"""Safe to publish: read-only, bounded queries, rate limits, no off-site redirects, security headers,
no personal data in the file, and the notice on reconstructed data."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import entry_points

import pytest
import sqlite_utils

from ingest.forums import FORUMS_FILE, load_forums
from kb.core.paths import ROOT
from kb.publish.plugin import RateLimiter, is_offsite_redirect_path
from kb.publish.serve import make_datasette

WRITE_PLUGINS = re.compile(r"write|insert|upload|edit|import|configure|delete|update|mutable", re.I)


@pytest.mark.parametrize("path", ["/\\example.com/", "/%5Cexample.com/", "//example.com/", "/\\example.com"])
def test_paths_that_would_redirect_off_site_are_refused(ds, get, path):
    response = get(ds, path)
    assert response.status_code == 400
    assert "location" not in response.headers


def test_ordinary_trailing_slash_redirect_still_works(ds, get):
    response = get(ds, "/samverkan/forums/")
    assert response.status_code == 302 and response.headers["location"] == "/samverkan/forums"


def test_offsite_detection():
    assert is_offsite_redirect_path("/\\evil.example/")
    assert is_offsite_redirect_path("/x", b"/%5cevil.example/")
    assert not is_offsite_redirect_path("/samverkan/forums/", b"/samverkan/forums/")


@pytest.mark.parametrize(
    "path", ["/", "/samverkan/forums", "/samverkan/tabell_1.json", "/natverk", "/-/static/app.css"]
)
def test_security_headers_on_every_kind_of_response(ds, get, path):
    headers = get(ds, path).headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "'unsafe-eval'" not in csp
    assert "tile.openstreetmap.org" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    # OpenStreetMap refuses tiles without a Referer; Datasette's own `no-referrer` is replaced
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert len(headers.get_list("referrer-policy")) == 1


def test_huge_blobs_are_refused(ds, get):
    response = get(ds, "/samverkan.json?sql=select+length(randomblob(500000000))")
    assert response.status_code == 400
    assert "too big" in response.text
    ok = get(ds, "/samverkan.json?sql=select+length(randomblob(1000))+as+n&_shape=array")
    assert ok.json() == [{"n": 1000}]


def frozen(ds):
    """ds with the rate limiter's clock stopped, so no token refills however slow the machine is."""
    from kb.publish.plugin import state_for

    state_for(ds).limiter.clock = lambda: 0.0
    return ds


def test_sql_is_rate_limited_per_client(publish_db_path, get):
    ds = frozen(make_datasette(publish_db_path))
    codes = [get(ds, "/samverkan.json?sql=select+1").status_code for _ in range(25)]
    assert codes[:20] == [200] * 20
    assert codes[-1] == 429
    limited = get(ds, "/samverkan.json?sql=select+1")
    assert int(limited.headers["retry-after"]) >= 1 and "För många" in limited.text
    assert get(ds, "/samverkan/forums.json").status_code == 200  # pages and canned queries are not limited


def test_where_counts_as_sql_in_the_rate_limit(publish_db_path, get):
    ds = frozen(make_datasette(publish_db_path))
    codes = [get(ds, "/samverkan/forums.json?_where=1").status_code for _ in range(25)]
    assert codes[:20] == [200] * 20
    assert codes[-1] == 429
    assert get(ds, "/samverkan.json?sql=select+1").status_code == 429  # one budget for both
    assert get(ds, "/samverkan/forums.json?kind=råd").status_code == 200


def test_sql_argument_detection():
    from kb.publish.plugin import _has_sql_argument

    assert _has_sql_argument(b"sql=select+1") and _has_sql_argument(b"_where=1&_size=2")
    assert not _has_sql_argument(b"kind=r%C3%A5d") and not _has_sql_argument(b"_sort=name")
    assert not _has_sql_argument(b"name__exact=sql=") and not _has_sql_argument(b"name=x&_where_not=1")
    assert _has_sql_argument(b"name__contains=x") and _has_sql_argument(b"name__glob=*")  # client's own pattern


@pytest.mark.parametrize("suffix", ["", ".json"])
def test_an_over_long_value_in_where_is_a_clean_400(demo_ds, get, suffix):
    response = get(demo_ds, f"/samverkan/forums{suffix}?_where=length(randomblob(500000000))>0")
    assert response.status_code == 400
    if suffix:
        assert response.json()["ok"] is False
        assert "Resultatet blev för stort" in response.json()["error"]
    else:
        assert "Resultatet blev för stort" in response.text
        assert '<html lang="sv">' in response.text


def test_rate_limiter_refills_and_forgets_old_clients():
    limiter = RateLimiter(burst=2, per_minute=60, max_clients=2)
    assert limiter.allow("a", now=0)[0] and limiter.allow("a", now=0)[0]
    assert limiter.allow("a", now=0) == (False, 1)
    assert limiter.allow("a", now=1.0)[0]
    limiter.allow("b", now=1)
    limiter.allow("c", now=1)
    assert set(limiter.buckets) == {"b", "c"}


def test_database_is_immutable_and_no_write_plugin_is_installed(ds):
    from datasette.plugins import get_plugins

    assert ds.databases["samverkan"].is_mutable is False  # /-/databases.json is closed (it shows the path)
    plugins = [p["name"] for p in get_plugins()]
    assert "kb.publish.plugin" in plugins or "samverkan-kb" in plugins
    assert not [p for p in plugins if WRITE_PLUGINS.search(p)]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/om",
        "/diagram",
        "/forum",
        "/natverk",
        "/samverkan",
        "/samverkan/forums",
        "/samverkan/tabell_1",
        "/samverkan/forums/samverkansradet",
        "/samverkan?sql=select+1",
    ],
)
def test_no_page_offers_a_write(ds, get, path):
    text = get(ds, path).text
    assert not re.search(r"<form[^>]*method=[\"']?post", text, re.I), path


def test_writes_are_refused(ds, loop):
    response = loop.run_until_complete(ds.client.post("/samverkan/-/create", json={"table": "x", "rows": [{"a": 1}]}))
    assert response.status_code in (400, 403, 404, 405)
    assert get_count(ds, loop) == len(load_forums(FORUMS_FILE))


@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "/samverkan/forums"),
        ("POST", "/samverkan/forums/samverkansradet"),
        ("POST", "/samverkan/tabell_1"),
        ("PUT", "/samverkan/forums"),
        ("DELETE", "/samverkan/forums/samverkansradet"),
        ("PATCH", "/samverkan"),
        ("POST", "/"),
        ("OPTIONS", "/samverkan/forums.json"),
    ],
)
def test_methods_other_than_get_and_head_are_refused_with_405(ds, loop, method, path):
    response = loop.run_until_complete(ds.client.request(method, path, data={"a": "1"}))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert "skrivskyddad" in response.text
    assert response.headers["x-frame-options"] == "DENY"


def test_head_and_get_still_work(ds, loop):
    assert loop.run_until_complete(ds.client.request("HEAD", "/samverkan/forums")).status_code == 200
    assert loop.run_until_complete(ds.client.get("/samverkan/forums/samverkansradet")).status_code == 200


def get_count(ds, loop) -> int:
    response = loop.run_until_complete(ds.client.get("/samverkan/forums.json?_shape=array"))
    return len(response.json())


EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}", re.I)
PHONE = re.compile(r"(?<![\w.,])(?:\+46|0)\s?\d{1,3}[\s-]?\d{2,3}(?:[\s-]?\d{2}){2,3}(?![\w.,])")
PERSONNUMMER = re.compile(r"(?<!\w)(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[-+]?\d{4}(?!\w)")


def test_published_db_holds_no_email_phone_or_personnummer(publish_db_path):
    db = sqlite_utils.Database(publish_db_path)
    found = []
    for table in db.table_names():  # every table, hidden ones too: the whole file is downloadable
        for row in db[table].rows:
            for column, value in row.items():
                if isinstance(value, str) and (
                    EMAIL.search(value) or PHONE.search(value) or PERSONNUMMER.search(value)
                ):
                    found.append((table, column, value[:80]))
    assert not found


def test_patterns_catch_what_they_should():
    assert EMAIL.search("kontakt: anna.a@orebro.se")
    assert PHONE.search("ring 019-21 10 00") and PHONE.search("070 123 45 67")
    assert PERSONNUMMER.search("19800101-1234") and PERSONNUMMER.search("800101-1234")
    assert not PHONE.search("50 680 000 kr") and not PERSONNUMMER.search("2022")
    assert not PERSONNUMMER.search("32722b190fc055085570")


def test_reconstruction_notice_where_reconstructed_rows_are_shown(demo_ds, get):
    notice = "Rekonstruerade svar."
    for path in [
        "/samverkan/collaborations",
        "/samverkan/table1_departments_per_category",
        "/samverkan/tabell_1",
        "/samverkan?sql=select+*+from+responses",
        "/samverkan/graph_metrics",
        "/samverkan/gap_stability",
        "/samverkan/gaps",
        "/diagram",
        "/",
    ]:
        assert notice in get(demo_ds, path).text, path
    for path in ["/samverkan/categories", "/samverkan/statements", "/om"]:
        assert notice not in get(demo_ds, path).text, path


def test_no_notice_without_reconstructed_rows(publish_db_path, get, tmp_path):
    path = tmp_path / "samverkan.db"
    path.write_bytes(publish_db_path.read_bytes())
    db = sqlite_utils.Database(path)
    with db.conn:
        db.execute("UPDATE responses SET source_id = 'rapport-2022'")
    db.close()
    plain = make_datasette(path)
    assert "Rekonstruerade svar." not in get(plain, "/samverkan/collaborations").text
    assert "Rekonstruerade svar." not in get(plain, "/").text


def test_view_filters_work_on_integer_columns(demo_ds, get):
    rows = get(demo_ds, "/samverkan/table1_departments_per_category.json?round=2022&_shape=array").json()
    assert len(rows) == 15
    rows = get(demo_ds, "/samverkan/tabell_1.json?omgang=2022&_shape=array").json()
    assert len(rows) == 15


def test_plugin_entry_point_when_declared():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    group = declared["project"].get("entry-points", {}).get("datasette", {})
    assert "kb.publish.plugin" in group.values()
    installed = {e.value for e in entry_points(group="datasette")}
    assert "kb.publish.plugin" in installed, "reinstall the package (pip install -e .) to register the plugin"
