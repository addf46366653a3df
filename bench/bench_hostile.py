"""Soak test on loopback: readers of ordinary pages while hostile clients send expensive single-step SQL.

Starts `kb serve` (with 127.0.0.1 as a trusted proxy, so each simulated client can be told apart by its
X-Forwarded-For, as behind a real reverse proxy: the hostile clients are HOSTILE different clients, the harder
case, since per-client limits then do not help). First READERS readers alone for --baseline seconds, then the
same readers while HOSTILE clients each send, one after another, queries of the kinds in KINDS for --seconds
seconds. Stops by itself (time and request count are bounded); only 127.0.0.1 is ever contacted.

Prints the readers' p50/p95/max latency, alone and under attack, and for each hostile kind the wall time of
its requests (including waiting for an ad-hoc thread), the SQL-thread time the server reports for it
(Server-Timing: sql), and the status codes. Targets: readers' p95 < 1 s under attack; SQL-thread time <= 2 s.

    .venv/bin/python bench/bench_hostile.py [--db data/samverkan.db] [--seconds 40] [--baseline 10]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_serve import free_port, start  # noqa: E402 - the same server start-up as the serve bench
from readme_figures import report  # noqa: E402

from kb.core.paths import DEFAULT_DB  # noqa: E402

READERS = 4
README_ROW = "worker, 0.25 s grace, final"  # the README's soak table: readers alone, under attack, SQL time
HOSTILE = 8
MAX_REQUESTS = 20_000  # a hard stop besides time
PAGES = [
    "/",
    "/samverkan",
    "/samverkan/forums",
    "/samverkan/forums/samverkansradet",
    "/samverkan/departments",
    "/samverkan/tabell_1?omgang=2022",
    "/samverkan/statements.json?_shape=array&_size=50",
    "/om",
]
BIG = "printf('%.*c', 900000, 'a')"  # just under the 1 MB length cap
KEYS = "(with recursive r(n) as (select 1 union all select n + 1 from r where n < 40000) select '{{' || group_concat('\"{p}' || n || '\":1') || '}}' from r)"  # noqa: E501
KINDS = {
    "instr, 19 MB (issue)": "select instr(printf('%.*c', 19000000, 'a'), printf('%.*c', 40000, 'a') || 'b')",
    "instr, 0,9 MB": f"select instr({BIG}, printf('%.*c', 40000, 'a') || 'b')",
    "like": f"select {BIG} like '%' || printf('%.*c', 20000, 'a') || 'b%'",
    "glob": f"select {BIG} glob '*' || printf('%.*c', 20000, 'a') || 'b*'",
    "replace": f"select length(replace({BIG}, printf('%.*c', 40000, 'a') || 'b', 'x'))",
    "trim(x, y)": f"select length(trim({BIG}, printf('%.*c', 40000, 'b') || 'a'))",
    "json_patch": f"select length(json_patch({KEYS.format(p='a')}, {KEYS.format(p='b')}))",
    "cte doubling": "with recursive r(s, n) as (select 'x', 0 union all select s || s, n + 1 from r where n < 40) "
    "select max(length(s)) from r",
    "randomblob loop": "with recursive r(n) as (select 1 union all select n + 1 from r) "
    "select sum(length(randomblob(900000))) from r",
    "zeroblob/hex": "with recursive r(n) as (select 1 union all select n + 1 from r) "
    "select sum(length(hex(zeroblob(450000)))) from r",
    "printf width": "with recursive r(n) as (select 1 union all select n + 1 from r) "
    "select count(printf('%*d', 900000, n)) from r",
    "cross join": "select count(*) from statements a, statements b, statements c",
}
SERVER = (
    "from kb.publish.serve import serve; import sys; from pathlib import Path; "
    "serve(Path(sys.argv[1]), port=int(sys.argv[2]), trusted_proxies=['127.0.0.1'])"
)
TIMING = re.compile(r"sql;dur=(\d+)")


def cuts(values: list[float]) -> tuple[float, float, float]:
    values = sorted(values)
    if len(values) < 2:
        v = values[0] if values else 0.0
        return v, v, v
    q = statistics.quantiles(values, n=100)
    return q[49], q[94], values[-1]


async def soak(base: str, seconds: float, hostile: int, counter: list[int]) -> tuple[dict[str, list[float]], dict]:
    reader_times: dict[str, list[float]] = defaultdict(list)
    hostile_results: dict[str, list[tuple[float, float | None, int]]] = defaultdict(list)
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=READERS + hostile + 2)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits, trust_env=False) as client:

        async def reader(i: int) -> None:
            n = 0
            while time.monotonic() < stop and counter[0] < MAX_REQUESTS:
                path = PAGES[(i + n) % len(PAGES)]
                n += 1
                counter[0] += 1
                began = time.perf_counter()
                response = await client.get(path, headers={"x-forwarded-for": f"198.51.100.{i + 1}"})
                reader_times[path].append(time.perf_counter() - began)
                if response.status_code != 200:
                    hostile_results["(läsare: fel)"].append((0.0, None, response.status_code))

        async def attacker(i: int) -> None:
            names = list(KINDS)
            n = i
            while time.monotonic() < stop and counter[0] < MAX_REQUESTS:
                kind = names[n % len(names)]
                n += 1
                counter[0] += 1
                began = time.perf_counter()
                response = await client.get(
                    "/samverkan.json",
                    params={"sql": KINDS[kind], "_shape": "array"},
                    headers={"x-forwarded-for": f"203.0.113.{i + 1}"},
                )
                elapsed = time.perf_counter() - began
                timing = TIMING.search(response.headers.get("server-timing", ""))
                held = int(timing.group(1)) / 1000 if timing else None
                hostile_results[kind].append((elapsed, held, response.status_code))
                if response.status_code == 429:
                    await asyncio.sleep(float(response.headers.get("retry-after", "1")))

        await asyncio.gather(*(reader(i) for i in range(READERS)), *(attacker(i) for i in range(hostile)))
    return reader_times, hostile_results


def main() -> int:
    parser = argparse.ArgumentParser(description="Uthållighetstest: läsare och fientliga SQL-frågor (loopback).")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--seconds", type=float, default=40, help="Sekunder med fientliga klienter.")
    parser.add_argument("--baseline", type=float, default=10, help="Sekunder med bara läsare först.")
    parser.add_argument("--hostile", type=int, default=HOSTILE, help="Antal fientliga klienter samtidigt.")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"Databasen {args.db} finns inte: kör `kb build` först.", file=sys.stderr)
        return 2
    port = free_port()
    process = start(SERVER, args.db.resolve(), port, [])
    counter = [0]
    try:
        base = f"http://127.0.0.1:{port}"
        alone, _ = asyncio.run(soak(base, args.baseline, 0, counter))
        attacked, hostile = asyncio.run(soak(base, args.seconds, args.hostile, counter))
    finally:
        process.terminate()
        process.wait(10)
    print(f"{READERS} läsare, {args.hostile} fientliga klienter, {args.seconds:g} s, 127.0.0.1, {counter[0]} anrop")
    print(f"{'läsare':<44}{'anrop':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    rows = [("ensamma, alla sidor", alone), ("under angrepp, alla sidor", attacked)]
    rows += [(f"  {path}", {path: times}) for path, times in attacked.items()]
    for label, by_page in rows:
        times = [t for values in by_page.values() for t in values]
        p50, p95, top = cuts(times)
        print(f"{label[:44]:<44}{len(times):>7}{p50 * 1000:>9.0f}{p95 * 1000:>9.0f}{top * 1000:>9.0f}")
    print(f"\n{'fientlig fråga':<28}{'anrop':>7}{'vägg p50':>10}{'vägg max':>10}{'SQL max':>9}  statuskoder")
    held_max = 0.0
    for kind, results in hostile.items():
        walls = [r[0] for r in results]
        held = [r[1] for r in results if r[1] is not None]
        held_max = max([held_max, *held])
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(Counter(r[2] for r in results).items()))
        p50, _, top = cuts(walls)
        held_text = f"{max(held) * 1000:>9.0f}" if held else f"{'-':>9}"
        print(f"{kind:<28}{len(results):>7}{p50 * 1000:>10.0f}{top * 1000:>10.0f}{held_text}  {codes}")
    for column, (label, by_page) in enumerate(rows[:2], start=1):
        times = [t for values in by_page.values() for t in values]
        for index, (name, value) in enumerate(zip(("p50", "p95", "max"), cuts(times), strict=True)):
            report(f"läsare {label}, {name}", value * 1000, "ms", key=README_ROW, index=index, digits=0, column=column)
    report("fientlig fråga, SQL-tid max", held_max * 1000, "ms", key=README_ROW, digits=0, column=3)
    p95 = cuts([t for values in attacked.values() for t in values])[1]
    ok = p95 < 1.0 and held_max <= 2.0
    print(f"\nMål: läsarnas p95 < 1000 ms under angrepp ({p95 * 1000:.0f} ms) och ingen fråga håller en SQL-tråd "
          f"längre än 2000 ms ({held_max * 1000:.0f} ms): " + ("uppfyllt" if ok else "INTE uppfyllt"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
