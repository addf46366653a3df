"""The public site under a hostile client (issue 19): bounded single-step SQL, a time budget per ad-hoc request
on threads of its own, no server detail in any answer, Swedish 400s for bad parameters, security headers,
and the rate limit behind a reverse proxy."""

from __future__ import annotations

import re
import sqlite3
import threading

import httpx
import pytest

from kb.publish import adhoc, sqlguard
from kb.publish.headers import script_hash
from kb.publish.plugin import state_for
from kb.publish.serve import make_datasette, trust_proxies

BIG = "printf('%.*c', 900000, 'a')"
HOSTILE = {
    "instr": f"select instr({BIG}, printf('%.*c', 40000, 'a') || 'b')",
    "replace": f"select length(replace({BIG}, printf('%.*c', 40000, 'a') || 'b', 'x'))",
    "glob": f"select {BIG} glob '*' || printf('%.*c', 20000, 'a') || 'b*'",
    "trim": f"select length(trim({BIG}, printf('%.*c', 40000, 'b') || 'a'))",
    "ltrim": f"select length(ltrim({BIG}, printf('%.*c', 40000, 'b') || 'a'))",
    "rtrim": f"select length(rtrim({BIG}, printf('%.*c', 40000, 'b') || 'a'))",
    "json_patch": "select json_patch(k, replace(k, '\"a', '\"b')) from (with recursive r(n) as (select 1 union all "
    "select n + 1 from r where n < 40000) select '{' || group_concat('\"a' || n || '\":1') || '}' as k from r)",
}
HOSTILE_KINDS = [
    ("instr", HOSTILE["instr"]),
    ("replace", HOSTILE["replace"]),
    ("like", f"select {BIG} like '%' || printf('%.*c', 20000, 'a') || 'b%'"),
    ("like", f"select {BIG} like '%' || printf('%.*c', 20000, 'a') || 'b%' escape '!'"),
    ("glob", HOSTILE["glob"]),
    ("trim", HOSTILE["trim"]),
    ("ltrim", HOSTILE["ltrim"]),
    ("rtrim", HOSTILE["rtrim"]),
    ("json_patch", HOSTILE["json_patch"]),
]


def sql_json(ds, get, sql: str, **params):
    return get(ds, "/samverkan.json", params={"sql": sql, "_shape": "array", **params})


@pytest.fixture
def fresh(publish_db_path):
    """A Datasette of its own (its own rate limiter and gate), with a frozen clock for the rate limiter."""
    ds = make_datasette(publish_db_path)
    state_for(ds).limiter.clock = lambda: 0.0
    return ds


@pytest.mark.parametrize("name,sql", HOSTILE_KINDS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(HOSTILE_KINDS)])
def test_each_quadratic_builtin_is_refused_on_huge_values(fresh, get, name, sql):
    response = sql_json(fresh, get, sql)
    assert response.status_code == 400
    error = response.json()["error"]
    assert "för kostsam" in error and f"{name}()" in error


@pytest.mark.parametrize("name,sql", HOSTILE_KINDS[:3], ids=["instr", "replace", "like"])
def test_refusals_also_hold_in_where_and_html(fresh, get, name, sql):
    condition = sql.removeprefix("select ")
    response = get(fresh, "/samverkan/forums", params={"_where": f"({condition}) is not null"})
    assert response.status_code == 400 and "för kostsam" in response.text and '<html lang="sv">' in response.text


def test_a_long_contains_pattern_counts_as_ad_hoc_and_is_bounded(fresh, get):
    response = get(fresh, "/samverkan/development_areas.json", params={"text__contains": "a" * 30000})
    assert response.status_code == 400 and "like()" in response.json()["error"]


EQUIVALENT = [
    "select instr(text, 'samverkan'), instr(text, ''), instr(null, 'a'), instr(x'616263', x'63') from statements",
    "select text like '%SAMVERKAN%', text like 'a\\_%' escape '\\', 'Å' like 'å', 5 like 5 from statements",
    "select text glob '*[Ss]amverk*', text glob '?[^a]*' from statements",
    "select replace(text, 'a', 'ä'), replace(text, '', 'x'), replace(12.5, '.', ',') from statements",
    "select trim(text, 'ae .'), ltrim(text, 'SD'), rtrim(text, '.'), trim('  x  ') from statements",
    "select json_patch('{\"a\":1,\"b\":{\"c\":2}}', '{\"b\":{\"c\":null},\"d\":[1]}'), json_patch(null, '{}')",
    "select name from forums where name like '%råd%' order by name",
]


@pytest.mark.parametrize("sql", EQUIVALENT)
def test_ordinary_sql_gives_the_same_answers_as_plain_sqlite(publish_db_path, fresh, get, sql):
    plain = sqlite3.connect(publish_db_path)
    expected = [list(row) for row in plain.execute(sql).fetchall()]
    plain.close()
    response = get(fresh, "/samverkan.json", params={"sql": sql, "_shape": "arrays", "_size": "max"})
    assert response.status_code == 200, response.text[:300]
    assert response.json()["rows"] == expected and expected


def test_bounded_wrapper_refuses_by_length_product_and_delegates_otherwise():
    conn = sqlite3.connect(":memory:")
    sqlguard.guard_connection(conn)
    assert tuple(conn.execute("select instr('abcabc', 'ca'), 'ABC' like 'a%', replace('aa', 'a', 'b')").fetchone()) == (
        3,
        1,
        "bb",
    )
    sqlguard.reset()
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("select ? like ?", ("a" * 5000, "%" + "a" * 4999)).fetchone()
    assert "like()" in sqlguard.refusal()
    assert sqlguard.cost_size("åäö") == 12 and sqlguard.cost_size(b"ab") == 2 and sqlguard.cost_size(None) == 0


@pytest.mark.parametrize(
    "sql",
    [
        "select length(randomblob(2000000))",
        "select length(zeroblob(2000000) || 'x')",
        "with recursive r(s, n) as (select 'x', 0 union all select s || s, n + 1 from r where n < 40) "
        "select max(length(s)) from r",
        "select length(hex(randomblob(600000)))",
    ],
    ids=["randomblob", "zeroblob", "cte-doubling", "hex"],
)
def test_values_over_the_length_cap_are_refused(fresh, get, sql):
    response = sql_json(fresh, get, sql)
    assert response.status_code == 400, response.text[:300]


def test_printf_width_over_the_cap_yields_null_not_a_huge_string(fresh, get):
    assert sql_json(fresh, get, "select printf('%.*c', 19000000, 'a') is null as n").json() == [{"n": 1}]
    assert sql_json(fresh, get, "select length(printf('%*d', 5000, 1)) as n").json() == [{"n": 5000}]


def test_a_result_over_the_meter_is_refused(fresh, get):
    sql = f"with recursive r(n) as (select 1 union all select n + 1 from r where n < 10) select {BIG} from r"
    response = sql_json(fresh, get, sql)
    assert response.status_code == 400 and "Svaret blev för stort" in response.json()["error"]


@pytest.mark.parametrize(
    "sql,word",
    [
        ("select load_extension('/tmp/x')", "load_extension"),
        ("select fts3_tokenizer('simple')", "fts3_tokenizer"),
        ("select sqlite_compileoption_get(0)", "sqlite_compileoption_get"),
        ("select sql from sqlite_stmt", "sqlite_stmt"),
        ("select * from dbstat", "dbstat"),
        ("select rtreenode(2, x'00')", "rtreenode"),
    ],
)
def test_authorizer_refuses_abuse_only_functions_and_tables(fresh, get, sql, word):
    response = sql_json(fresh, get, sql)
    assert response.status_code == 400
    assert word in response.json()["error"] and "inte" in response.json()["error"]


def test_pragma_functions_work_but_hide_the_path(fresh, get, publish_db_path):
    rows = sql_json(fresh, get, "select * from pragma_database_list").json()
    assert rows == [{"seq": 0, "name": "main", "file": None}]
    columns = sql_json(fresh, get, "select name from pragma_table_info('forums')").json()
    assert {"name": "id"} in columns


def test_the_budget_interrupts_a_long_query_even_with_a_generous_time_limit(publish_db_path, get, monkeypatch):
    monkeypatch.setattr(adhoc, "BUDGET_SECONDS", 0.3)
    ds = make_datasette(publish_db_path, sql_time_limit_ms=600_000)
    endless = "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r"
    response = sql_json(ds, get, endless)
    assert response.status_code == 400
    assert "Frågan tog för lång tid" in response.json()["error"]
    assert int(re.search(r"sql;dur=(\d+)", response.headers["server-timing"]).group(1)) >= 300


ENDLESS = "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r"


def test_the_watchdog_interrupts_the_connections_of_a_thread():
    watchdog = adhoc.Watchdog()
    outcome = []

    def run():
        conn = sqlite3.connect(":memory:")
        adhoc.register_connection(conn)
        watchdog.arm(watchdog.clock() + 0.2)
        try:
            conn.execute(ENDLESS).fetchall()
        except sqlite3.OperationalError as error:
            outcome.append(str(error))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert outcome == ["interrupted"] and watchdog.fired == 1


def test_a_worker_that_cannot_start_is_reported_so_the_threads_take_over(tmp_path):
    from kb.publish.worker import Worker, WorkerUnavailable

    worker = Worker(str(tmp_path / "missing" / "samverkan.db"))
    with pytest.raises(WorkerUnavailable):
        worker.call(("select 1", None, 1.0, 0), 5)
    with pytest.raises(WorkerUnavailable):  # and is not started again at once
        worker.start()
    assert worker.process is None


def test_a_silent_worker_is_killed_at_its_deadline_and_replaced(publish_db_path):
    from kb.publish.worker import Worker

    forums = sqlite3.connect(publish_db_path).execute("select count(*) from forums").fetchone()[0]
    worker = Worker(str(publish_db_path))
    try:
        assert worker.call(("select count(*) from forums", None, 5.0, 0), 60)[0] == "ok"
        first = worker.process.pid
        # the worker's own time limit (600 s) would never fire: the parent gives up after 0.5 s and kills it
        assert worker.call((ENDLESS, None, 600.0, 0), 0.5) == ("error", "OperationalError", "interrupted", None)
        assert worker.process is None
        answer = worker.call(("select count(*) from forums", None, 5.0, 0), 60)
        assert answer[0] == "ok" and answer[1] == [(forums,)] and worker.process.pid != first
    finally:
        if worker.process is not None:
            worker.process.kill()


def test_a_spent_budget_stops_the_next_query_at_once_and_adhoc_runs_on_its_own_threads():
    from datasette.database import QueryInterrupted

    executor = adhoc.SqlExecutor(adhoc.ThreadPoolExecutor(1, thread_name_prefix="pages"))
    names = []

    def record():
        names.append(threading.current_thread().name)
        return 1

    assert executor.submit(record).result() == 1
    token = adhoc.CURRENT.set(adhoc.Budget(seconds=5))
    try:
        assert executor.submit(record).result() == 1
    finally:
        adhoc.CURRENT.reset(token)
    assert names[0].startswith("pages") and names[1].startswith("kb-adhoc")
    token = adhoc.CURRENT.set(adhoc.Budget(seconds=1, spent=1.5))
    try:
        with pytest.raises(QueryInterrupted):
            executor.submit(record).result()
    finally:
        adhoc.CURRENT.reset(token)
    assert len(names) == 2
    executor.shutdown()


def test_client_gate_caps_per_client_and_in_all():
    gate = adhoc.ClientGate(per_client=2, total=3)
    assert gate.enter("a") is None and gate.enter("a") is None
    assert "redan 2" in gate.enter("a")
    assert gate.enter("b") is None
    assert "många" in gate.enter("c")
    gate.leave("a")
    assert gate.enter("c") is None and gate.running == {"a": 1, "b": 1, "c": 1}


def test_is_adhoc():
    assert adhoc.is_adhoc(b"sql=select+1") and adhoc.is_adhoc(b"_where=1") and adhoc.is_adhoc(b"name__like=a%25")
    assert not adhoc.is_adhoc(b"name=x&_sort=name") and not adhoc.is_adhoc(b"name__exact=x") and not adhoc.is_adhoc(b"")


CLOSED = ["/-/databases.json", "/-/databases", "/-/versions.json", "/-/plugins.json", "/-/settings.json",
          "/-/threads.json", "/-/metadata.json", "/-/actor.json", "/-/permissions", "/-/allow-debug",
          "/-/messages", "/-/patterns", "/-/config.json", "/-"]  # fmt: skip


@pytest.mark.parametrize("path", CLOSED)
def test_dash_pages_a_public_site_does_not_need_are_a_swedish_404(ds, get, path):
    response = get(ds, path)
    assert response.status_code == 404
    assert "finns inte" in response.text


def test_static_files_stay_open(ds, get):
    assert get(ds, "/-/static/app.css").status_code == 200
    assert get(ds, "/-/static-plugins/datasette-cluster-map/datasette-cluster-map.js").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/.json",
        "/samverkan",
        "/samverkan.json",
        "/samverkan/forums.json",
        "/samverkan/forums/samverkansradet.json",
        "/samverkan.json?sql=select+*+from+pragma_database_list",
        "/samverkan?sql=select+*+from+pragma_database_list",
        "/samverkan.json?sql=select+nope",
        "/om",
    ],
)
def test_no_answer_shows_the_server_path(ds, get, publish_db_path, path):
    text = get(ds, path).text
    assert str(publish_db_path) not in text and str(publish_db_path.parent) not in text


BAD = [
    ("/samverkan/forums?_sort=nope", "_sort"),
    ("/samverkan/forums?_sort_desc=nope", "_sort_desc"),
    ("/samverkan/forums?_sort=rowid", "_sort"),
    ("/samverkan/forums?_sort=name&_sort_desc=name", "_sort"),
    ("/samverkan/forums?_facet=nope", "_facet"),
    ("/samverkan/forums?_facet_array=nope", "_facet_array"),
    ("/samverkan/forums?_col=nope", "_col"),
    ("/samverkan/forums?_nocol=nope", "_nocol"),
    ("/samverkan/forums?_through=nope", "_through"),
    ('/samverkan/forums?_through={"table":"x","column":"y","value":"1"}', "_through"),
    ('/samverkan/forums?_through={"table":"forum_categories","column":"nope","value":"1"}', "_through"),
    ('/samverkan/forums?_through={"table":"sources","column":"id","value":"1"}', "_through"),
    ("/samverkan/forums?nope=1", "nope"),
    ("/samverkan/forums?nope__contains=1", "nope__contains"),
    ("/samverkan/forums?name__bogus=1", "name__bogus"),
    ("/samverkan/forums?_size=abc", "_size"),
    ("/samverkan/forums?_size=-1", "_size"),
    ("/samverkan/forums?_size=100000", "_size"),
    ("/samverkan/gaps?_next=abc", "_next"),
    ("/samverkan/table1_departments_per_category?_next=abc", "_next"),
    ("/samverkan/forums?_timelimit=abc", "_timelimit"),
    ("/samverkan.json?sql=select+1&_shape=bad", "_shape"),
    ("/samverkan/tabell_1?_size=x", "_size"),
]


@pytest.mark.parametrize("path,name", BAD)
@pytest.mark.parametrize("suffix", ["", ".json"])
def test_bad_parameters_are_a_swedish_400_naming_the_parameter(ds, get, path, name, suffix):
    base, _, query = path.partition("?")
    if suffix and not base.endswith(".json"):
        base += suffix
    response = get(ds, f"{base}?{query}")
    assert response.status_code == 400, response.text[:300]
    if base.endswith(".json"):
        body = response.json()
        assert body["ok"] is False and name in body["error"] and name in body["title"]
    else:
        assert '<html lang="sv">' in response.text and f"Ogiltig parameter: {name}" in response.text


def test_good_parameters_still_work(ds, get, publish_db_path):
    through = '{"table":"forum_categories","column":"category_id","value":"forsamling-trossamfund"}'
    for path, params in [
        ("/samverkan/forums.json", {"_sort": "name"}),
        ("/samverkan/forums.json", {"_sort_desc": "name"}),
        ("/samverkan/forums.json", {"_facet": "kind", "_size": "max"}),
        ("/samverkan/forums.json", {"_through": through}),
        ("/samverkan/forums.json", {"kind": "råd", "name__contains": "r", "_col": "name"}),
        ("/samverkan/statements.json", {"_size": "5", "_timelimit": "1000", "_shape": "objects"}),
        ("/samverkan/tabell_1.json", {"omgang": "2022"}),
    ]:
        response = get(ds, path, params=params)
        assert response.status_code == 200, (path, params, response.text[:300])
    rows = get(ds, "/samverkan/forums.json", params={"_through": through, "_shape": "objects"}).json()["rows"]
    expected = [r[0] for r in sqlite3.connect(publish_db_path).execute(
        "SELECT forum_id FROM forum_categories WHERE category_id = 'forsamling-trossamfund' ORDER BY forum_id")]
    assert "partnerskap-orebro" in expected
    assert sorted(r["id"] for r in rows) == expected
    first = get(ds, "/samverkan/statements.json", params={"_size": "5"}).json()
    following = get(ds, "/samverkan/statements.json", params={"_size": "5", "_next": first["next"]})
    assert following.status_code == 200 and following.json()["rows"][0] not in first["rows"]
    view = get(ds, "/samverkan/table1_departments_per_category.json", params={"_size": "5"}).json()
    assert get(ds, "/samverkan/table1_departments_per_category.json", params={"_next": view["next"]}).status_code == 200


PAGES = ["/", "/samverkan", "/samverkan/forums", "/samverkan?sql=select+1", "/diagram", "/natverk", "/om",
         "/samverkan/forums/samverkansradet", "/samverkan/table1_departments_per_category", "/-/static/app.css",
         "/samverkan/forums.json", "/nope"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_has_a_csp_without_unsafe_inline_scripts_and_a_permissions_policy(demo_ds, get, path):
    response = get(demo_ds, path)
    csp = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["script-src-attr"] == "'none'" and csp["object-src"] == "'none'"
    policy = response.headers["permissions-policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
    assert len(response.headers.get_list("content-security-policy")) == 1


@pytest.mark.parametrize("path", [p for p in PAGES if "." not in p.rsplit("/", 1)[-1]])
def test_every_inline_script_on_our_pages_is_allowed_by_its_hash(demo_ds, get, path):
    response = get(demo_ds, path)
    csp = response.headers["content-security-policy"]
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", response.text, re.S)
    for body in scripts:
        assert script_hash(body) in csp, body[:200]
    assert script_hash("alert(1)") not in csp


def client_for(ds, peer: str) -> httpx.AsyncClient:
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    app = ProxyHeadersMiddleware(ds.app(), trusted_hosts="10.0.0.1")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 1234)), base_url="http://kb")


def test_forged_forwarded_for_entries_in_front_of_the_proxys_own_do_not_mint_clients(fresh, loop):
    async def run():
        async with client_for(fresh, "10.0.0.1") as proxy, client_for(fresh, "198.51.100.1") as direct:
            codes = []
            for i in range(22):  # a client forges a new address in front of the one the proxy appends
                headers = {"x-forwarded-for": f"192.0.2.{i}, 203.0.113.7"}
                codes.append((await proxy.get("/samverkan.json?sql=select+1", headers=headers)).status_code)
            other = await proxy.get("/samverkan.json?sql=select+1", headers={"x-forwarded-for": "203.0.113.8"})
            forged_direct = [
                (await direct.get("/samverkan.json?sql=select+1", headers={"x-forwarded-for": f"192.0.2.{i}"}))
                for i in range(21)
            ]
            return codes, other.status_code, [r.status_code for r in forged_direct]

    codes, other, direct = loop.run_until_complete(run())
    assert codes[:20] == [200] * 20 and codes[20:] == [429, 429]  # one client: 203.0.113.7
    assert other == 200  # a real other client behind the same proxy
    assert direct[:20] == [200] * 20 and direct[20] == 429  # an untrusted peer's header is ignored
    assert set(state_for(fresh).limiter.buckets) == {"203.0.113.7", "203.0.113.8", "198.51.100.1"}


def test_kb_serve_trusts_no_proxy_unless_told(monkeypatch):
    import uvicorn

    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    trust_proxies(())
    assert uvicorn.Config(app=None).forwarded_allow_ips == ""
    trust_proxies(["10.0.0.1", "10.1.0.0/16"])
    assert uvicorn.Config(app=None).forwarded_allow_ips == "10.0.0.1,10.1.0.0/16"


def test_rate_limit_refills_only_with_the_injected_clock(publish_db_path, get):
    ds = make_datasette(publish_db_path)
    now = [100.0]
    state_for(ds).limiter.clock = lambda: now[0]
    assert [sql_json(ds, get, "select 1").status_code for _ in range(21)][-2:] == [200, 429]
    now[0] += 1.0  # 30 per minute: half a token
    assert sql_json(ds, get, "select 1").status_code == 429
    now[0] += 1.5
    assert sql_json(ds, get, "select 1").status_code == 200
