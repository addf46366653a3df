"""Issue 14 in a real browser (Debian's chromium, headless, as test_browser.py drives it).

- A crawl from `/` (at most MAX_PAGES pages, pages without query arguments first) fails on Datasette's English
  chrome in what a reader sees (text, button labels, titles), on any JavaScript console error, and on any
  broken link (every same-site link found is requested once).
- axe-core (the npm package, installed by the test into test-artifacts/axe) on each page type: no serious or
  critical violations.
- Each page type at 390 px width: nothing wider than the screen except inside its own scrolling box.
- The network and chart pages: a table as text alternative, and keyboard use.
"""

from __future__ import annotations

import heapq
import re
import shutil
import subprocess
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest

from tests.publish.test_browser import ARTIFACTS, CHROMIUM, _serve, browser  # noqa: F401 (fixtures)

MAX_PAGES = 150
MAX_LINKS = 800
AXE_DIR = ARTIFACTS / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VOF = "vard-och-omsorgsforvaltningen"

# Datasette's English chrome, as a reader would see it (whole words, case-sensitive).
ENGLISH = [
    r"\b\d[\d,]* rows?\b", r"View and edit SQL", r"Advanced export", r"Next page", r"Suggested facets",
    r"This data as", r"Custom SQL query", r"\bRun SQL\b", r"Format SQL", r"Powered by", r"Data license",
    r"Data source", r"Links from other tables", r"Query parameters", r"JSON shape", r"CSV options", r"Export CSV",
    r"download file", r"expand labels", r"remove filter", r"\bSort\b", r"\bdescending\b", r"\brecords\b",
    r"Table actions", r"Download SQLite", r"\bQueries\b", r"\bTables\b", r"\bViews\b", r"hidden tables?\b",
    r"Many rows", r"\bError\b", r"not found", r"timed out", r"\bSearch\b", r"\bApply\b", r"\bcolumn\b",
    r"\bFacet\b", r"\bHide\b", r"\bShow\b", r"Remove this", r"Drag to resize", r"\bMenu\b", r"\bhome\b",
]
ENGLISH_RE = re.compile("|".join(ENGLISH))
DOWNLOADS = re.compile(r"\.(db|csv|json|jsonl|tsv|ttl|rdf|xml|png|svg|js|css|xlsx|qdpx|qdc|gexf|graphml)$")  # not pages

CHROME_TEXT = """() => {
  const bits = [document.title, document.body.innerText];
  document.querySelectorAll('input[type=submit], input[type=button], button')
    .forEach(b => bits.push(b.value || b.textContent));
  document.querySelectorAll('option').forEach(o => bits.push(o.textContent));
  document.querySelectorAll('[aria-label], [title]')
    .forEach(e => bits.push(e.getAttribute('aria-label') || '', e.getAttribute('title') || ''));
  document.querySelectorAll('.dropdown-menu').forEach(m => bits.push(m.textContent));
  return bits.join('\\n');
}"""
# Data, not chrome: cell values, SQL text and descriptions may hold any word.
DATA_SELECTORS = (
    "table.rows-and-columns td, pre, code, textarea, .CodeMirror, .metadata-description, dd, .kb-data-table"
)
STRIP_DATA = f"""() => {{ document.querySelectorAll({DATA_SELECTORS!r}).forEach(e => e.remove()); }}"""


@pytest.fixture(scope="module")
def site(publish_db_path):
    yield from _serve(publish_db_path)


def _page(browser):  # noqa: F811
    page = browser.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.route("https://**", lambda route: route.fulfill(status=200, body=b""))  # the network is closed
    return page


def english_chrome(page) -> list[str]:
    """Datasette's English chrome that a reader of the page sees (data, SQL and descriptions are left out)."""
    page.evaluate(STRIP_DATA)
    return [m.group(0) for m in ENGLISH_RE.finditer(page.evaluate(CHROME_TEXT))]


def test_the_detector_finds_datasettes_own_english(browser, publish_db_path):  # noqa: F811
    """Plain Datasette's pages (its own templates) are full of what the crawl looks for."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from datasette.app import Datasette

    async def plain_pages():
        plain = Datasette(immutables=[str(publish_db_path)])
        paths = ("/samverkan/forums", "/samverkan/departments/miljokontoret", "/samverkan")
        return [(await plain.client.get(p)).text for p in paths]

    with ThreadPoolExecutor(1) as pool:  # Playwright's own event loop runs in this thread
        pages = pool.submit(asyncio.run, plain_pages()).result()
    page = _page(browser)
    found = []
    for text in pages:
        page.set_content(text)
        found += english_chrome(page)
    page.close()
    assert {"Advanced export", "This data as", "Links from other tables", "Custom SQL query"} <= set(found)
    assert any(re.fullmatch(r"\d+ rows?", f) for f in found)


def _priority(url: str) -> tuple[int, int]:
    """Crawl plain pages before their sorted, filtered and paginated variants."""
    parts = urlsplit(url)
    return (len(parse_qsl(parts.query, keep_blank_values=True)), parts.path.count("/"))


def test_crawl_from_the_start_page(browser, site):  # noqa: F811
    page = _page(browser)
    queue, seen, order = [(0, 0, 0, site + "/")], {site + "/"}, 1
    links: dict[str, str] = {}  # link -> the page it was found on
    visited, english, errors = [], [], []
    while queue and len(visited) < MAX_PAGES:
        *_, url = heapq.heappop(queue)
        response = page.goto(url, wait_until="load")
        visited.append(url)
        assert response is not None and response.status < 400, (url, response and response.status)
        found = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        english += [(url, text) for text in english_chrome(page)]
        errors += [(url, e) for e in page.errors]
        page.errors.clear()
        for href in found:
            href = urljoin(url, href).split("#", 1)[0]
            if not href.startswith(site + "/"):
                continue
            links.setdefault(href, url)
            if href not in seen and not DOWNLOADS.search(urlsplit(href).path):
                seen.add(href)
                heapq.heappush(queue, (*_priority(href), order, href))
                order += 1
    page.close()
    (ARTIFACTS / "genomsokta-sidor.txt").write_text("\n".join(visited) + "\n", encoding="utf-8")
    assert len(visited) >= 60  # the crawl reached the tables, rows, queries and profiles
    assert {"/profiler", f"/forvaltning/{VOF}", "/samverkan"} <= {urlsplit(u).path for u in visited}
    assert english == []
    assert errors == []
    broken = []
    for href, where in list(links.items())[:MAX_LINKS]:
        status = browser.request.get(href, max_redirects=3).status
        if status >= 400:
            broken.append((href, status, where))
    assert broken == []


@pytest.fixture(scope="module")
def axe_source():
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        assert npm, "npm saknas: axe-core installeras med npm (apt-get install npm)"
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR), "axe-core@4"],
                       check=True, capture_output=True, timeout=300)
    return AXE_JS.read_text(encoding="utf-8")


PAGE_TYPES = {
    "start": "/",
    "databas": "/samverkan",
    "tabell": "/samverkan/collaborations?department_id=miljokontoret&_facet=form_id",
    "tabell-sok": "/samverkan/statements?_search=tid",
    "rad": f"/samverkan/departments/{VOF}",
    "sparad-fraga": "/samverkan/tabell_1",
    "egen-sql": "/samverkan?sql=select+id%2C+name+from+departments",
    "fel": "/samverkan/finns-inte",
    "profiler": "/profiler",
    "forvaltning": f"/forvaltning/{VOF}",
    "kategori": "/kategori/socialt-foretag",
    "delmalomrade": "/delmalomrade/cirkular-ekonomi",
    "diagram": "/diagram",
    "natverk": "/natverk",
    "forum": "/forum",
    "om": "/om",
}


@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_accessibility_and_phone_width(browser, site, axe_source, name):  # noqa: F811
    page = _page(browser)
    page.goto(site + PAGE_TYPES[name], wait_until="load")
    page.wait_for_timeout(300)  # charts and the network draw after load
    # axe-core as a same-origin script file: the site's CSP rightly blocks an inline one
    page.route(site + "/__axe.js", lambda route: route.fulfill(status=200, body=axe_source,
                                                                content_type="text/javascript"))
    page.add_script_tag(url=site + "/__axe.js")
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(' '))])"
    )
    assert result == [], name
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    too_wide = page.evaluate(
        """() => { const w = window.innerWidth; return Array.from(document.querySelectorAll('body *')).filter(e => {
            const r = e.getBoundingClientRect(); if (r.width === 0 || r.right <= w + 1) return false;
            for (let p = e.parentElement; p; p = p.parentElement) {
              const s = getComputedStyle(p); if (['auto', 'scroll', 'hidden'].includes(s.overflowX)) return false; }
            return getComputedStyle(e).position !== 'absolute' && getComputedStyle(e).position !== 'fixed';
          }).slice(0, 5).map(e => e.tagName + '.' + e.className + ' '
                                 + Math.round(e.getBoundingClientRect().right)); }"""
    )
    assert too_wide == [], name
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    page.screenshot(path=str(ARTIFACTS / f"telefon-{name}.png"), full_page=True)
    if name == "fel":  # the page itself answers 404, which the console reports
        page.errors = [e for e in page.errors if "status of 404" not in e]
    assert page.errors == [], name
    page.close()


def test_charts_have_tables_and_take_keyboard_focus(browser, site):  # noqa: F811
    page = _page(browser)
    page.goto(site + "/diagram", wait_until="load")
    tables = page.locator("figure.kb-chart details.kb-data table")
    assert tables.count() == page.locator("figure.kb-chart").count() == 7
    first = page.locator("#diagram-t1 details.kb-data")
    first.locator("summary").focus()
    page.keyboard.press("Enter")
    assert first.evaluate("d => d.open")
    assert first.locator("tbody tr").count() == 15
    heat = page.locator("#diagram-heatmap details.kb-data tbody tr")
    assert heat.count() == 15 and heat.first.locator("td").count() == 17
    page.locator("#diagram-heatmap .kb-chart-area").focus()
    assert page.evaluate("document.activeElement.closest('#diagram-heatmap') !== null")
    page.close()


def test_network_has_a_table_and_works_by_keyboard(browser, site):  # noqa: F811
    page = _page(browser)
    page.goto(site + "/natverk", wait_until="load")
    page.wait_for_selector("#kb-network[data-drawn]", timeout=15000)
    rows = page.locator("#natverket-som-tabell tbody tr")
    assert rows.count() == int(page.locator("#kb-network").get_attribute("data-drawn"))
    assert page.locator(f'#natverket-som-tabell a[href="/forvaltning/{VOF}"]').count() == 1
    page.locator("#kb-network").focus()
    before = page.evaluate("[window.kbNetwork.zoom(), window.kbNetwork.pan().x]")
    page.keyboard.press("+")
    page.keyboard.press("ArrowLeft")
    after = page.evaluate("[window.kbNetwork.zoom(), window.kbNetwork.pan().x]")
    assert after[0] > before[0] and after[1] != before[1]
    page.locator("#natverket-som-tabell summary").focus()
    page.keyboard.press("Enter")
    page.locator(f'#natverket-som-tabell a[href="/forvaltning/{VOF}"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/forvaltning/{VOF}")
    assert page.errors == []
    page.close()
