"""`build_inventory`: discover -> extract (`ast`, LibCST for newer syntax; a process pool when worth it) -> interpret
-> assemble."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from . import coverage
from .assemble import assembler
from .discover import Discovery, discover
from .extract import extract_batch
from .facts import ModuleFacts
from .interp import Interp
from .models import Inventory, Skipped
from .tenancy import TenancyConfigError, load_rules

Progress = Callable[[int, int], None]  # (files done, files total)

# Below this much candidate source, a pool costs more than it saves: `ast` extraction is cheap (about as cheap as
# pickling the facts back), and interpretation runs in the main process anyway. On 2 cores a pool of 2 was slower
# than one process on every measured tree: dispatch (0.4 MB of candidates), onyx (2.1 MB), polar (1.3 MB, with
# LibCST-only files) and a generated tree of 800 route modules (3.2 MB). `--workers N` still forces one.
POOL_MIN_BYTES = 4_000_000
POOL_MIN_FILES = 8


class InventoryInputError(ValueError):
    """The root cannot be analysed (missing, not a directory). The CLI turns it into exit code 2."""


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def _pool_context():
    # fork: workers inherit the imported modules instead of importing them again (start-up time matters here).
    if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _chunks(items: list[tuple[str, str]], sizes: dict[str, int], count: int) -> list[list[tuple[str, str]]]:
    """Split into `count` chunks of similar byte size (largest files first, each to the lightest chunk)."""
    chunks: list[list[tuple[str, str]]] = [[] for _ in range(count)]
    loads = [0] * count
    for item in sorted(items, key=lambda it: -sizes.get(it[0], 0)):
        index = loads.index(min(loads))
        chunks[index].append(item)
        loads[index] += sizes.get(item[0], 0) + 2_000  # per-file overhead
    return [chunk for chunk in chunks if chunk]


def extract_all(
    root: str,
    items: list[tuple[str, str]],
    sizes: dict[str, int],
    *,
    workers: int | None,
    progress: Progress | None,
) -> tuple[dict[str, ModuleFacts], list[Skipped]]:
    total = len(items)
    total_bytes = sum(sizes.get(rel, 0) for rel, _ in items)
    if workers is None:
        cpus = available_cpus()
        workers = min(cpus, 8) if total_bytes >= POOL_MIN_BYTES and total >= POOL_MIN_FILES else 1
    workers = max(1, min(workers, total or 1))
    facts: dict[str, ModuleFacts] = {}
    skipped: list[Skipped] = []

    def collect(batch: list[tuple[str, str]], results: list) -> None:
        for (rel, _), result in zip(batch, results):
            if isinstance(result, str):
                skipped.append(Skipped(file=rel, reason=result))
            else:
                facts[rel] = result

    if workers == 1:
        done = 0
        for item in items:
            collect([item], extract_batch(root, [item]))
            done += 1
            if progress:
                progress(done, total)
        return facts, skipped
    # Several chunks per worker so that progress moves and a slow chunk does not hold the others back.
    batches = _chunks(items, sizes, workers * 4)
    done = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
        futures = {pool.submit(extract_batch, root, batch): batch for batch in batches}
        for future in as_completed(futures):
            batch = futures[future]
            try:
                results = future.result()
            except Exception as exc:  # a worker died: report the files, never crash the analysis
                results = [f"internal error while analysing: {type(exc).__name__}: {exc}"] * len(batch)
            collect(batch, results)
            done += len(batch)
            if progress:
                progress(done, total)
    return facts, skipped


@dataclass
class InventoryRun:
    """An inventory and what produced it (for the plan's dead-code estimate, which reuses the parsed facts)."""

    inventory: Inventory
    discovery: Discovery
    facts: dict[str, ModuleFacts]


def build_inventory(
    root: str | os.PathLike,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    include_tests: bool = False,
) -> Inventory:
    """Static inventory of every route of every FastAPI app under `root` (nothing of the target is imported).

    workers: None decides (a process pool only when there is enough source to parse), 1 runs in process.
    progress: called with (files parsed, files to parse) while parsing.
    include_tests: also analyse tests/ directories and test_*.py files (left out by default: not served).
    """
    return run_inventory(root, workers=workers, progress=progress, include_tests=include_tests).inventory


def run_inventory(
    root: str | os.PathLike,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    include_tests: bool = False,
) -> InventoryRun:
    """`build_inventory`, keeping the discovery and the per-module facts."""
    path = Path(root)
    if not path.exists():
        raise InventoryInputError(f"{root}: no such directory")
    if not path.is_dir():
        raise InventoryInputError(f"{root}: not a directory")
    try:
        rules = load_rules(str(path))
    except TenancyConfigError as exc:
        raise InventoryInputError(str(exc)) from None
    discovery = discover(str(path), include_tests=include_tests)
    items = [(rel, discovery.module_name(rel)) for rel in discovery.candidates]
    facts, skipped = extract_all(discovery.root, items, discovery.sizes, workers=workers, progress=progress)
    interp = Interp(discovery, facts)
    interp.run()
    asm = assembler(interp, rules)
    apps, routes = asm.app_models, asm.sorted_routes
    unresolved = sorted(interp.unresolved + asm.unresolved, key=lambda u: (u.file, u.line, u.reason))
    route_coverage = coverage.measure(interp, asm.placed, asm.reasons, unresolved)
    all_skipped = _once_per_file(discovery.skipped + skipped + interp.skipped)
    inventory = Inventory(
        root=str(path),
        apps=sorted(apps, key=lambda a: (a.file, a.line, a.variable)),
        routes=routes,
        unresolved=_dedupe(unresolved),
        skipped=all_skipped,
        files_total=len(discovery.files),
        files_parsed=len(facts),  # the interpreter adds the modules it parsed on demand to `facts`
        ignored_tests=discovery.ignored_tests,
        coverage=route_coverage,
    )
    return InventoryRun(inventory, discovery, facts)


def _once_per_file(items: list[Skipped]) -> list[Skipped]:
    """A file met twice (parsed up front, then again on demand) is listed once, with its first reason."""
    first: dict[str, Skipped] = {}
    for item in items:
        first.setdefault(item.file, item)
    return sorted(first.values(), key=lambda s: (s.file, s.reason))


def _dedupe(items: list) -> list:
    seen = set()
    out = []
    for item in items:
        key = (item.file, item.line, item.reason)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
