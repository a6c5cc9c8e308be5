"""Ground truth of the routes a real FastAPI service serves, by importing its app in another interpreter.

    python bench/corpus_truth.py walk --python VENV/bin/python --root CHECKOUT/backend \
        (--app pkg.main:app | --factory pkg.main:create_app) [--env K=V ...] [--sys-path DIR ...] \
        [--preload FILE.py ...] [--timeout 300] [-o truth.json]
    python bench/corpus_truth.py compare TRUTH.json ANALYZE.json [-o result.json]

`walk` starts `--python` (the service's own virtual environment, which has its dependencies installed) with the
working directory `--root`, `--root` and every `--sys-path` (relative to `--root`) first on sys.path, and the
environment of this process plus every `--env K=V` (dummy secrets, a SQLite URL, ...). Each `--preload` file is
executed first (patches that stop an import from reaching a network or a database). Then it imports the module,
takes the attribute (`--app`, a dotted attribute path is fine) or calls the factory without arguments
(`--factory`; a coroutine is awaited), unwraps ASGI wrappers (`.app`, `.other_asgi_app`, ...) down to the object
with `routes`, and walks it:

- every route with its methods and full path: FastAPI's `_IncludedRouter` entries (FastAPI >= 0.16x keeps one per
  `include_router`) are flattened with their include prefix, older FastAPI's flat `APIRoute`s are taken as they
  are, `Mount`ed applications and routers are descended with the mount path as prefix, `Host` routes too;
- `HEAD` is dropped where Starlette adds it implicitly (a plain `Route` serving `GET`; FastAPI's `APIRoute` never
  adds it), a class endpoint (`HTTPEndpoint`) serves the methods its class defines, a websocket is `WEBSOCKET`;
- FastAPI's own documentation routes (`/openapi.json`, `/docs`, ...) go to `framework_routes`, not `routes`;
- mounts that are not routers (static files, ASGI/WSGI apps such as socket.io) go to `mounts` with their kind;
- the OpenAPI document is generated as a cross-check: `openapi_paths` counts its operations, `not_in_openapi` lists
  the routes absent from it (`include_in_schema=False`, plain Starlette routes) and `openapi_only` the reverse.

The result (JSON on stdout, or `-o FILE`): `{"app", "app_type", "routes": [[METHOD, path], ...] (sorted, unique),
"framework_routes", "mounts", "openapi_paths", "not_in_openapi", "openapi_only", "openapi_error", "versions"}`.
Exit 1 with the child's stderr tail when the app cannot be imported.

`compare` reads a truth file (anything with `"routes": [[METHOD, path], ...]`) and a `migrator analyze --format
json` report, and prints recall and precision of the analyzer's (method, path) pairs. Paths are compared with
parameter names and converters erased (`/items/{item_id:int}` == `/items/{id}`) and methods upper-cased; FastAPI
documentation routes are not in the truth and not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

_PARAM = re.compile(r"\{[^}]*\}")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")
WRAPPER_ATTRS = ("other_asgi_app", "app", "_app", "asgi_app", "application")


# --- the child: runs inside the service's interpreter; standard library and the service's starlette only ----------


def _unwrap(obj):
    """Follow ASGI wrappers (middleware, socket.io's ASGIApp, ...) down to the object that has `routes`."""
    seen = set()
    while not hasattr(obj, "routes") and id(obj) not in seen:
        seen.add(id(obj))
        inner = next((getattr(obj, a) for a in WRAPPER_ATTRS if getattr(obj, a, None) is not None), None)
        if inner is None:
            break
        obj = inner
    return obj


def _is_docs_route(route) -> bool:
    endpoint = getattr(route, "endpoint", None)
    return getattr(endpoint, "__qualname__", "").startswith("FastAPI.setup.<locals>.")


def _route_methods(route) -> set[str]:
    """The HTTP methods a route serves, without the HEAD that Starlette adds by itself to GET routes."""
    from starlette.routing import Route

    methods = set(route.methods or ())
    endpoint = getattr(route, "endpoint", None)
    if not methods and isinstance(endpoint, type):  # HTTPEndpoint: the methods its class defines
        methods = {m for m in HTTP_METHODS if callable(getattr(endpoint, m.lower(), None))}
    api_route = _fastapi_class("APIRoute")
    if isinstance(route, Route) and not (api_route and isinstance(route, api_route)) and "GET" in methods:
        methods.discard("HEAD")
    return methods


def _fastapi_class(name: str):
    try:
        import fastapi.routing as fr
    except ImportError:
        return None
    return getattr(fr, name, None)


def _mount_kind(app) -> str:
    name = type(app).__name__
    if "StaticFiles" in name or "Frontend" in name:
        return "static"
    return name


class _Walker:
    def __init__(self) -> None:
        self.routes: set[tuple[str, str]] = set()
        self.framework: set[tuple[str, str]] = set()
        self.mounts: list[dict] = []
        self.seen: set[int] = set()

    def walk(self, routes, prefix: str) -> None:
        from starlette.routing import Host, Mount, WebSocketRoute

        included = _fastapi_class("_IncludedRouter")
        for route in routes:
            if included and isinstance(route, included):
                inner = route.original_router
                self.walk(list(inner.routes) + list(getattr(inner, "_low_priority_routes", [])),
                          prefix + route.include_context.prefix)
            elif isinstance(route, (Mount, Host)):
                self._descend(route, prefix)
            elif _is_docs_route(route):
                self.framework.update((m, prefix + route.path) for m in _route_methods(route))
            elif isinstance(route, WebSocketRoute) or type(route).__name__ == "APIWebSocketRoute":
                self.routes.add(("WEBSOCKET", prefix + route.path))
            elif hasattr(route, "methods") and hasattr(route, "path"):
                self.routes.update((m, prefix + route.path) for m in _route_methods(route))
            else:
                self.mounts.append({"path": prefix + getattr(route, "path", "") or "/", "kind": _mount_kind(route)})

    def _descend(self, mount, prefix: str) -> None:
        from starlette.routing import Mount

        path = prefix + (mount.path if isinstance(mount, Mount) else "")
        sub = _unwrap(mount.app)
        if not hasattr(sub, "routes"):
            self.mounts.append({"path": path or "/", "kind": _mount_kind(sub)})
            return
        if id(sub) in self.seen:
            return
        self.seen.add(id(sub))
        self.mounts.append({"path": path or "/", "kind": "router", "app": type(sub).__name__})
        self.walk(sub.routes, path)


def _load_app(spec: dict):
    import asyncio
    import importlib

    target = spec["factory"] or spec["app"]
    module_name, _, attr = target.partition(":")
    obj = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if spec["factory"]:
        obj = obj()
        if asyncio.iscoroutine(obj):
            obj = asyncio.run(obj)
    return obj


def _openapi_pairs(app) -> tuple[set[tuple[str, str]] | None, str | None]:
    try:
        paths = app.openapi()["paths"]
    except Exception as exc:  # noqa: BLE001 - a broken schema is a finding, not a failure
        return None, f"{type(exc).__name__}: {exc}"[:500]
    return {(m.upper(), p) for p, ops in paths.items() for m in ops if m.upper() in HTTP_METHODS}, None


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": sys.version.split()[0]}
    for dist in ("fastapi", "starlette", "pydantic"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def child_main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if p != here]  # bench/ must not shadow the service's modules
    for entry in reversed(spec["sys_path"]):
        sys.path.insert(0, entry)
    for preload in spec["preload"]:
        code = Path(preload).read_text(encoding="utf-8")
        exec(compile(code, preload, "exec"), {"__name__": "__corpus_preload__", "__file__": preload})
    loaded = _load_app(spec)
    app = _unwrap(loaded)
    walker = _Walker()
    walker.walk(list(app.routes) + list(getattr(getattr(app, "router", None), "_low_priority_routes", [])), "")
    schema, error = _openapi_pairs(app) if hasattr(app, "openapi") else (None, "not a FastAPI app")
    pairs = {(m, _PARAM.sub("{}", p)) for m, p in walker.routes}
    schema_norm = {(m, _PARAM.sub("{}", p)) for m, p in schema or ()}
    result = {
        "app": spec["factory"] or spec["app"], "app_type": f"{type(loaded).__module__}.{type(loaded).__name__}",
        "routes": sorted(walker.routes), "framework_routes": sorted(walker.framework),
        "mounts": sorted(walker.mounts, key=lambda m: m["path"]),
        "openapi_paths": None if schema is None else len(schema), "openapi_error": error,
        "not_in_openapi": [] if schema is None else sorted(p for p in walker.routes
                                                           if (p[0], _PARAM.sub("{}", p[1])) not in schema_norm),
        "openapi_only": sorted(p for p in schema or () if (p[0], _PARAM.sub("{}", p[1])) not in pairs),
        "versions": _versions(),
    }
    Path(spec["out"]).write_text(json.dumps(result, indent=1), encoding="utf-8")


# --- the parent ----------------------------------------------------------------------------------------------------


def _parse_env(items: list[str]) -> dict[str, str]:
    env = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"corpus_truth: --env {item!r}: expected K=V")
        env[key] = value
    return env


def walk(args: argparse.Namespace) -> dict:
    root = Path(args.root).resolve()
    if not root.is_dir():
        raise SystemExit(f"corpus_truth: {root}: not a directory")
    python = str(Path(args.python).absolute()) if os.sep in args.python else args.python
    with tempfile.TemporaryDirectory(prefix="corpus-truth-") as tmp:
        spec = {
            "app": args.app, "factory": args.factory, "out": str(Path(tmp) / "out.json"),
            "sys_path": [str(root)] + [str((root / p).resolve()) for p in args.sys_path],
            "preload": [str(Path(p).resolve()) for p in args.preload],
        }
        spec_path = Path(tmp) / "spec.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        env = {**os.environ, **_parse_env(args.env), "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("PYTHONPATH", None)
        try:
            proc = subprocess.run([python, str(Path(__file__).resolve()), "_child", str(spec_path)], cwd=root,
                                  env=env, capture_output=True, text=True, timeout=args.timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SystemExit(f"corpus_truth: {python}: {exc}") from None
        out = Path(spec["out"])
        if proc.returncode != 0 or not out.exists():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-25:])
            print(f"corpus_truth: importing {args.app or args.factory} failed (exit {proc.returncode}):\n{tail}",
                  file=sys.stderr)
            raise SystemExit(1)
        return json.loads(out.read_text(encoding="utf-8"))


def normalize(method: str, path: str) -> tuple[str, str]:
    """A (method, path) pair as compared: method upper-cased, path parameters anonymous."""
    return method.upper(), _PARAM.sub("{}", path)


def analyzed_pairs(report: dict) -> set[tuple[str, str]]:
    return {normalize(m, route["path"]) for route in report.get("routes", []) for m in route.get("methods", [])}


def compare(truth: dict, report: dict) -> dict:
    """Recall and precision of an analyze report's (method, path) pairs against a truth file's routes."""
    expected = {normalize(m, p) for m, p in truth["routes"]}
    found = analyzed_pairs(report)
    hits = expected & found
    return {
        "truth": len(expected), "analyzed": len(found), "hits": len(hits),
        "recall": round(len(hits) / len(expected), 4) if expected else None,
        "precision": round(len(hits) / len(found), 4) if found else None,
        "missing": sorted(expected - found), "extra": sorted(found - expected),
    }


def _write(data: dict, output: str | None) -> None:
    text = json.dumps(data, indent=1)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)


def _read_json(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"corpus_truth: {path}: {exc}") from None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        child_main(argv[1])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("walk", help="import an app in its own interpreter and list its routes")
    w.add_argument("--python", default=sys.executable)
    w.add_argument("--root", required=True)
    target = w.add_mutually_exclusive_group(required=True)
    target.add_argument("--app", help="module:attr")
    target.add_argument("--factory", help="module:func, called without arguments")
    w.add_argument("--env", action="append", default=[], metavar="K=V")
    w.add_argument("--sys-path", action="append", default=[], metavar="DIR")
    w.add_argument("--preload", action="append", default=[], metavar="FILE.py")
    w.add_argument("--timeout", type=float, default=300)
    w.add_argument("-o", "--output")
    c = sub.add_parser("compare", help="recall/precision of an analyze report against a truth file")
    c.add_argument("truth")
    c.add_argument("report")
    c.add_argument("-o", "--output")
    args = parser.parse_args(argv)
    if args.command == "walk":
        _write(walk(args), args.output)
    else:
        _write(compare(_read_json(args.truth), _read_json(args.report)), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
