"""Benchmark `migrator analyze` as a user runs it: whole processes, start-up included, against `ast.parse`.

    python bench/bench_analyze.py [--repo PATH ...] [--files 2000] [--repeat 5] [--no-generated] [--keep DIR]

For each tree (every `--repo PATH`, a real code base checked out locally, and a generated tree of ~2,000 files
unless `--no-generated`), two whole processes are timed, interleaved (warm-up run of each, then rounds in
alternating order, `_timing.interleave`):
- ast:     `python bench/ast_parse_tree.py TREE`: reads and `ast.parse`s every `.py` file under TREE;
- analyze: `migrator analyze TREE --format json -o /dev/null` (the console script of this environment).
Then, per tree, the CPU seconds of analyze by stage (start-up, imports, inventory, verdicts, rest; `analyze_stages.py`,
medians): the ratio says how far from the bound, the stages say where the time goes.
Prints min/median/max of each, the ratio of medians analyze / ast (bound <= 1.0 on every tree) and the peak RSS of
both (main process and its largest child: analyze's pool workers), plus the bound main + workers x largest worker
< 300 MB. Exit 1 when a bound is exceeded.

The generated tree: one FastAPI service (app, settings with a prefix default, dependencies with Annotated aliases),
~10% of the files routers nested three levels deep (api_router -> domain router -> module router, prefixes from
settings defaults, module constants and f-strings), a legacy /admin module the catalog maps, and ordinary modules
of realistic size (services, models, utilities; a few raise fastapi's HTTPException, so they pass the prefilter).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleave, migrator_command, peak_rss, ratio_line, rss_line, run_process  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
AST_SCRIPT = str(Path(__file__).resolve().parent / "ast_parse_tree.py")
STAGES_SCRIPT = str(Path(__file__).resolve().parent / "analyze_stages.py")
STAGES = ("startup", "imports", "inventory", "verdicts", "rest")
MAX_MB = 300.0

# --- the generated repository ------------------------------------------------------------------------------------

DOMAINS = ["billing", "courses", "content", "accounts", "reports", "search", "notify", "media", "grading", "forum"]
WORDS = ["order", "invoice", "course", "lesson", "quiz", "answer", "user", "group", "report", "event", "file",
         "grade", "thread", "post", "comment", "message", "plan", "entry", "record", "batch"]


def _ordinary_module(rng: random.Random, index: int, raises_http: bool) -> str:
    """A plausible service/model/utility module of 80-400 lines."""
    word = rng.choice(WORDS)
    lines = [f'"""{word.capitalize()} helpers and services (module {index})."""', "", "from __future__ import annotations",
             "", "import logging", "from dataclasses import dataclass, field", "from datetime import datetime, timedelta",
             "from typing import Any, Iterable, Optional", ""]
    if raises_http:
        lines += ["from fastapi import HTTPException", ""]
    lines += ["logger = logging.getLogger(__name__)", f"DEFAULT_LIMIT = {rng.randint(10, 500)}",
              f"RETRY_DELAYS = ({rng.randint(1, 3)}, {rng.randint(4, 9)}, {rng.randint(10, 30)})", ""]
    target = rng.randint(80, 400)
    block = 0
    while len(lines) < target:
        block += 1
        kind = rng.random()
        name = f"{word}_{block}"
        if kind < 0.35:
            cls = f"{word.capitalize()}{block}"
            lines += ["", "@dataclass", f"class {cls}:", f'    """A {word} record ({block})."""', "",
                      "    id: int", "    name: str", "    created_at: datetime = field(default_factory=datetime.utcnow)",
                      "    tags: list[str] = field(default_factory=list)", "    amount: float = 0.0", "",
                      "    def is_recent(self, days: int = 7) -> bool:",
                      "        return self.created_at >= datetime.utcnow() - timedelta(days=days)", "",
                      "    def label(self) -> str:",
                      '        parts = [self.name] + [t.upper() for t in self.tags if t]',
                      '        return " / ".join(parts)', "",
                      "    def merge(self, other: " + f'"{cls}"' + ") -> None:",
                      "        for tag in other.tags:", "            if tag not in self.tags:",
                      "                self.tags.append(tag)", "        self.amount += other.amount", ""]
        elif kind < 0.75:
            lines += ["", f"def {name}(items: Iterable[dict], limit: int = DEFAULT_LIMIT) -> list[dict]:",
                      f'    """Filter, sort and cut a list of {word}s."""', "    result = []",
                      "    for item in items:", '        if item.get("deleted"):', "            continue",
                      '        score = item.get("score", 0) * 1.5 + len(item.get("name", ""))',
                      '        if score < 0:', '            logger.debug("negative score %s", item)', "            continue",
                      '        result.append({**item, "score": score})',
                      '    result.sort(key=lambda r: (-r["score"], r.get("name", "")))', "    return result[:limit]", ""]
            if raises_http and rng.random() < 0.3:
                lines += [f"def require_{name}(value: Optional[dict]) -> dict:", "    if value is None:",
                          f'        raise HTTPException(status_code=404, detail="{word} not found")', "    return value", ""]
        else:
            lines += ["", f"async def {name}_summary(rows: list[dict]) -> dict[str, Any]:",
                      f'    """Totals of {word} rows by day."""', "    totals: dict[str, float] = {}", "    count = 0",
                      "    for row in rows:", '        day = row["at"][:10]',
                      '        totals[day] = totals.get(day, 0.0) + float(row.get("amount", 0))', "        count += 1",
                      "    if not count:", '        return {"count": 0, "days": []}',
                      '    days = [{"day": d, "total": round(t, 2)} for d, t in sorted(totals.items())]',
                      '    return {"count": count, "days": days, "mean": sum(totals.values()) / len(totals)}', ""]
    return "\n".join(lines) + "\n"


def _route_module(rng: random.Random, domain: str, index: int) -> str:
    word = rng.choice(WORDS)
    model = f"{word.capitalize()}Out"
    lines = [f'"""{domain} / {word} routes."""', "", "from __future__ import annotations", "",
             "from fastapi import APIRouter, Depends, HTTPException, Query", "",
             "from app.deps import CurrentUser, SessionDep, TenantId",
             f"from app.services.svc_{index % 50} import DEFAULT_LIMIT", "",
             f'PREFIX = "/{word}s{index}"', 'router = APIRouter(prefix=PREFIX, tags=["' + domain + '"])', ""]
    for route in range(rng.randint(5, 9)):
        method = rng.choice(["get", "get", "post", "put", "delete"])
        path = rng.choice(["", "/{item_id}", f"/{word}-{route}", "/{item_id}/" + word])
        params = ["session: SessionDep", "tenant: TenantId", "user: CurrentUser"]
        if "{item_id}" in path:
            params.insert(0, "item_id: int")
        if method == "get":
            params += ["skip: int = 0", "limit: int = Query(20, ge=1, le=100)"]
        lines += [f'@router.{method}("{path}")', f"async def {method}_{word}_{route}({', '.join(params)}):",
                  f'    """{method.upper()} {word} {route}."""', f"    rows = session.query({model!r}, tenant=tenant)",
                  "    found = []", "    for row in rows:", '        if row.get("owner") != user.id and not user.is_admin:',
                  "            continue", "        found.append(row)", "    if not found:", '        raise HTTPException(status_code=404, detail="not found")', "    total = len(found)",
                  '    return {"items": found, "total": total}', ""]
    lines += ["", "def _check(value: int) -> int:", "    if value < 0:", '        raise ValueError("negative")',
              "    return value * 2", ""]
    return "\n".join(lines) + "\n"


LEGACY_ADMIN = '''"""Legacy tenant-admin routes (mapped by the catalog)."""

from fastapi import APIRouter, Depends, Header, Query

from ..services.admin_stats import dashboard_numbers, cost_rows

router = APIRouter()


def require_admin(authorization: str = Header(...), x_tenant_id: str = Header(..., alias="X-Tenant-ID")) -> str:
    if not authorization.startswith("Bearer "):
        raise ValueError("no token")
    return x_tenant_id


@router.get("/dashboard")
async def get_dashboard(tenant_id: str = Depends(require_admin)):
    return dashboard_numbers(tenant_id)


@router.get("/dashboard/costs")
async def get_costs(days: int = Query(30, ge=1, le=365), tenant_id: str = Depends(require_admin)):
    return {"rows": cost_rows(tenant_id, days)}
'''

ADMIN_STATS = '''"""Numbers of the legacy dashboard."""


def dashboard_numbers(tenant_id):
    return {"users": {"total": 0}, "tenant": tenant_id}


def cost_rows(tenant_id, days):
    return [{"day": i, "tenant": tenant_id} for i in range(days)]
'''


def generate(root: Path, files: int, seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)
    app = root / "svc" / "app"
    n_routes = max(len(DOMAINS), files // 10)
    per_domain = n_routes // len(DOMAINS)
    written = 0

    def write(rel: str, text: str) -> None:
        nonlocal written
        path = app / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += 1

    write("__init__.py", "")
    write("core/__init__.py", "")
    write("core/config.py", '"""Settings."""\n\nfrom pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n'
          '    PROJECT_NAME: str = "svc"\n    API_V1_STR: str = "/api/v1"\n    DEBUG: bool = False\n\n\n'
          'settings = Settings()\n')
    write("deps.py", '"""Request dependencies."""\n\nfrom typing import Annotated\n\nfrom fastapi import Depends, Header\n'
          "from fastapi.security import OAuth2PasswordBearer\n\noauth2 = OAuth2PasswordBearer(tokenUrl=\"/login\")\n\n\n"
          "def get_session():\n    yield {}\n\n\ndef current_user(token: Annotated[str, Depends(oauth2)]):\n    return token\n\n\n"
          "SessionDep = Annotated[dict, Depends(get_session)]\nCurrentUser = Annotated[dict, Depends(current_user)]\n"
          'TenantId = Annotated[str, Header(alias="X-Tenant-ID")]\n')
    write("main.py", '"""The app."""\n\nfrom fastapi import FastAPI\n\nfrom app.api.v1.router import api_router\n'
          "from app.core.config import settings\nfrom app.legacy import admin\n\napp = FastAPI(title=settings.PROJECT_NAME)\n"
          "app.include_router(api_router, prefix=settings.API_V1_STR)\n"
          'app.include_router(admin.router, prefix="/admin")\n')
    write("legacy/__init__.py", "")
    write("legacy/admin.py", LEGACY_ADMIN)
    write("services/__init__.py", "")
    write("services/admin_stats.py", ADMIN_STATS)
    write("api/__init__.py", "")
    write("api/v1/__init__.py", "")
    router_lines = ['"""All v1 routers."""', "", "from fastapi import APIRouter", ""]
    router_lines += [f"from app.api.v1 import {d}" for d in DOMAINS]
    router_lines += ["", "api_router = APIRouter()"]
    router_lines += [f"api_router.include_router({d}.router)" for d in DOMAINS]
    write("api/v1/router.py", "\n".join(router_lines) + "\n")
    index = 0
    for domain in DOMAINS:
        init = [f'"""{domain} routers."""', "", "from fastapi import APIRouter", ""]
        init += [f"from . import r{k}" for k in range(per_domain)]
        init += ["", f'DOMAIN = "{domain}"', 'router = APIRouter(prefix=f"/{DOMAIN}")']
        init += [f"router.include_router(r{k}.router)" for k in range(per_domain)]
        write(f"api/v1/{domain}/__init__.py", "\n".join(init) + "\n")
        for k in range(per_domain):
            write(f"api/v1/{domain}/r{k}.py", _route_module(rng, domain, index))
            index += 1
    ordinary = 0
    while written < files:
        folder = rng.choice(["services", "models", "utils", "jobs", "integrations"])
        raises = rng.random() < 0.05
        write(f"{folder}/m{ordinary // 40}/mod_{ordinary}.py", _ordinary_module(rng, ordinary, raises))
        if ordinary % 40 == 0:
            init = app / folder / f"m{ordinary // 40}" / "__init__.py"
            if not init.exists():
                write(f"{folder}/m{ordinary // 40}/__init__.py", "")
        ordinary += 1
    for index in range(50):  # the star-import targets of the route modules
        path = app / "services" / f"svc_{index}.py"
        if not path.exists():
            path.write_text(_ordinary_module(rng, 10_000 + index, False), encoding="utf-8")
            written += 1
    return {"files": written, "route_modules": per_domain * len(DOMAINS)}


# --- measurements ------------------------------------------------------------------------------------------------


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _summary(tree: Path, env: dict) -> dict:
    proc = subprocess.run([*migrator_command(), "analyze", str(tree), "--format", "json"], capture_output=True,
                          text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"analyze {tree} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout)["summary"]


def _pool_size() -> int:
    from migrator.inventory.build import available_cpus

    return min(available_cpus(), 8)


def measure(tree: Path, label: str, repeat: int) -> bool:
    """Times, ratio and memory of one tree; True when its bounds are met."""
    env = _env()
    analyze = [*migrator_command(), "analyze", str(tree), "--format", "json", "-o", os.devnull]
    modes = {
        "ast.parse script": lambda: run_process([sys.executable, AST_SCRIPT, str(tree)],
                                                                       env=env),
        "migrator analyze": lambda: run_process(analyze, env=env),
    }
    samples = interleave(modes, repeat=repeat)
    base, ours = samples.values()
    summary = _summary(tree, env)
    files = sum(1 for _ in tree.rglob("*.py"))
    print(f"\n{label}: {tree} ({files} .py files; analyze parsed {summary['files_parsed']} of "
          f"{summary['files_total']}, {summary['routes']} routes, {summary['unresolved']} unresolved)")
    for item in (base, ours):
        print("  " + item.line())
    text, ok_time = ratio_line(ours, base, bound=1.0)
    print("  " + text)
    rss_ast = peak_rss([AST_SCRIPT, str(tree)], env=env)
    rss_analyze = peak_rss(["-m", "migrator", "analyze", str(tree), "--format", "json", "-o", os.devnull], env=env)
    print("  " + rss_line("ast.parse of every file", rss_ast))
    print("  " + rss_line("migrator analyze", rss_analyze))
    workers = _pool_size() if rss_analyze["children"] else 0
    bound = rss_analyze["main"] + workers * rss_analyze["children"]
    ok_memory = bound < MAX_MB
    print(f"  memory bound: main + {workers} x largest worker = {bound:.0f} MB (< {MAX_MB:.0f} MB: "
          f"{'ok' if ok_memory else 'EXCEEDED'})")
    print("  " + _stages_line(tree, env, repeat))
    return ok_time and ok_memory


def _stages_line(tree: Path, env: dict, repeat: int) -> str:
    """CPU seconds of analyze by stage (`analyze_stages.py`), medians of `repeat` runs: where the time goes."""
    runs = []
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, STAGES_SCRIPT, str(tree)], capture_output=True, text=True, env=env,
                              check=False)
        if proc.returncode != 0:
            return f"stages: analyze_stages.py failed ({proc.returncode}): {proc.stderr.strip()[-300:]}"
        runs.append(json.loads(proc.stdout))
        runs[-1]["ast"] = _child_cpu([sys.executable, AST_SCRIPT, str(tree)], env)
    median = {key: statistics.median(run[key] for run in runs) for key in (*STAGES, "libcst_import", "ast")}
    parts = "  ".join(f"{key} {median[key]:.3f}" for key in STAGES)
    return (f"CPU s by stage (median of {repeat}): {parts}  = {sum(median[k] for k in STAGES):.3f}; "
            f"of it `import libcst` {median['libcst_import']:.3f}; the ast.parse script: {median['ast']:.3f}")


def _child_cpu(command: list[str], env: dict) -> float:
    """User + system CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, capture_output=True, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, action="append", default=[],
                        help="a real code base to measure (the folder passed to analyze); repeatable")
    parser.add_argument("--files", type=int, default=2000, help="size of the generated tree")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds per mode (after one warm-up each)")
    parser.add_argument("--no-generated", action="store_true", help="measure only the --repo trees")
    parser.add_argument("--keep", type=Path, help="generate the tree here and keep it")
    args = parser.parse_args(argv)
    for repo in args.repo:
        if not repo.is_dir():
            parser.error(f"--repo {repo}: not a directory")

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; {args.repeat} rounds per mode, "
          "interleaved, after one warm-up run each")
    ok = True
    for repo in args.repo:
        ok &= measure(repo, "repository", args.repeat)
    if not args.no_generated:
        workdir = Path(tempfile.mkdtemp(prefix="bench-analyze-"))
        tree = args.keep or workdir / "tree"
        try:
            if tree.exists():
                shutil.rmtree(tree)
            shape = generate(tree, args.files)
            ok &= measure(tree, f"generated ({shape['route_modules']} route modules)", args.repeat)
        finally:
            if args.keep is None:
                shutil.rmtree(workdir, ignore_errors=True)
    print("\nall bounds met" if ok else "\na bound is exceeded")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
