"""Grid benchmarks (issue 2): demo generation, assignment at three sizes, list pages' server time.

Prints figures; asserts nothing. Each step runs in its own process so its peak memory (max RSS) is its own.

    .venv/bin/python bench/grid_bench.py            # SQLite in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/grid_bench.py
    .venv/bin/python bench/grid_bench.py --skip-large   # without the 300,000-household district
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def db_size_mb(db_url: str) -> float:
    from django.db import connection

    if connection.vendor == "sqlite":
        path = Path(db_url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0] / 2**20


def step_generate(db_url: str, scale: float) -> dict[str, float]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from grid.services.demo import demo_generate

    started = time.perf_counter()
    demo_generate(scale=scale)
    seconds = time.perf_counter() - started
    from grid.models import Household

    return {
        "seconds": seconds,
        "households": Household.objects.count(),
        "db_mb": db_size_mb(db_url),
        "peak_mb": peak_mb(),
    }


def step_assign(db_url: str, which: str) -> dict[str, float]:
    from grid.models import GridNode, Household, Level
    from grid.services.assignment import households_assign, households_assign_all

    sd = GridNode.objects.get(code="ZJXL")
    if which == "community":
        community = GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY).order_by("code").first()
        assert community is not None
        Household.objects.filter(community=community).update(grid_worker=None)
        started = time.perf_counter()
        result = households_assign(actor=None, community=community)
        fresh = time.perf_counter() - started
        started = time.perf_counter()
        again = households_assign(actor=None, community=community)
        rerun = time.perf_counter() - started
        return {
            "households": result.households,
            "fresh_s": fresh,
            "changed": result.changed,
            "rerun_s": rerun,
            "rerun_changed": again.changed,
            "peak_mb": peak_mb(),
        }
    Household.objects.filter(subdistrict=sd).update(grid_worker=None)
    started = time.perf_counter()
    results = households_assign_all(actor=None, root=sd)
    fresh = time.perf_counter() - started
    started = time.perf_counter()
    again = households_assign_all(actor=None, root=sd)
    rerun = time.perf_counter() - started
    return {
        "households": sum(r.households for r in results),
        "fresh_s": fresh,
        "unassigned": sum(len(r.unassigned) for r in results),
        "rerun_s": rerun,
        "rerun_changed": sum(r.changed for r in again),
        "peak_mb": peak_mb(),
    }


def step_pages(db_url: str) -> dict[str, float]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    out: dict[str, float] = {}
    for label, username, url in [
        ("household_list_admin", "zjx_admin", "/grid/households/"),
        ("household_list_search", "zjx_admin", "/grid/households/?q=301"),
        ("household_list_page_200", "zjx_admin", "/grid/households/?page=200"),
        ("my_households", "jiaotong_gw", "/grid/my/"),
        ("node_tree_subdistrict", "zjx_admin", "/grid/n/ZJXL/"),
    ]:
        client = Client()
        client.force_login(User.objects.get(username=username))
        client.get(url)  # warm
        times = []
        for _ in range(30):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        out[f"{label}_ms_median"] = statistics.median(times)
        out[f"{label}_ms_p90"] = sorted(times)[int(len(times) * 0.9)]
        out[f"{label}_queries"] = len(ctx.captured_queries)
    return out


def run_child(step: str, db_url: str, *extra: str) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--step", step, "--db", db_url, *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def fresh_db(label: str, tmp: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        admin_url = base.rsplit("/", 1)[0] + "/postgres"
        name = f"bench_{label}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return base.rsplit("/", 1)[0] + "/" + name
    return f"sqlite:///{tmp}/{label}.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step")
    parser.add_argument("--db")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--which", default="all")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    if args.step:
        setup_django(args.db)
        if args.step == "generate":
            result = step_generate(args.db, args.scale)
        elif args.step == "assign":
            result = step_assign(args.db, args.which)
        else:
            result = step_pages(args.db)
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory() as tmp:
        demo = fresh_db("demo", tmp)
        print(f"database: {demo.split('@')[-1]}")
        gen = run_child("generate", demo, "--scale", "1")
        print(
            f"demo generation (27,000 households): {gen['seconds']:.1f} s, database {gen['db_mb']:.0f} MB, "
            f"peak RSS {gen['peak_mb']:.0f} MB"
        )
        one = run_child("assign", demo, "--which", "community")
        print(
            f"assign one residential area ({one['households']:.0f} households): {one['fresh_s'] * 1000:.0f} ms fresh, "
            f"{one['rerun_s'] * 1000:.0f} ms re-run ({one['rerun_changed']:.0f} changed), peak RSS {one['peak_mb']:.0f} MB"
        )
        whole = run_child("assign", demo, "--which", "all")
        print(
            f"assign whole demo sub-district ({whole['households']:.0f} households): {whole['fresh_s']:.2f} s fresh "
            f"(target < 5 s), {whole['rerun_s']:.2f} s re-run ({whole['rerun_changed']:.0f} changed), "
            f"{whole['unassigned']:.0f} unassigned, peak RSS {whole['peak_mb']:.0f} MB"
        )
        pages = run_child("pages", demo)
        for key in (
            "household_list_admin",
            "household_list_search",
            "household_list_page_200",
            "my_households",
            "node_tree_subdistrict",
        ):
            print(
                f"page {key}: median {pages[key + '_ms_median']:.1f} ms, p90 {pages[key + '_ms_p90']:.1f} ms, "
                f"{pages[key + '_queries']:.0f} queries (target < 50 ms, constant queries)"
            )
        if not args.skip_large:
            large = fresh_db("large", tmp)
            gen = run_child("generate", large, "--scale", str(300_000 / 27_000))
            print(
                f"synthetic district generation ({gen['households']:.0f} households): {gen['seconds']:.1f} s, "
                f"database {gen['db_mb']:.0f} MB"
            )
            big = run_child("assign", large, "--which", "all")
            print(
                f"assign synthetic district ({big['households']:.0f} households): {big['fresh_s']:.1f} s fresh "
                f"(target < 60 s), {big['rerun_s']:.1f} s re-run ({big['rerun_changed']:.0f} changed), "
                f"peak RSS {big['peak_mb']:.0f} MB"
            )


if __name__ == "__main__":
    main()
