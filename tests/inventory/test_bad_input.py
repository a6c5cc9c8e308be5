"""Bad input never crashes the inventory: each unusable file is skipped with a one-line reason."""

from __future__ import annotations

import os

import pytest

from migrator.inventory import InventoryInputError, build_inventory
from migrator.inventory.discover import MAX_BYTES

GOOD = {
    "svc/main.py": """
        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/ok")
        def ok():
            return {}
    """,
}


def _skipped(inventory) -> dict[str, str]:
    return {s.file: s.reason for s in inventory.skipped}


def test_syntax_error_non_utf8_and_huge_files_are_skipped_with_a_reason(make_repo):
    root = make_repo({
        **GOOD,
        "svc/broken.py": """
            from fastapi import APIRouter
            router = APIRouter(
            def oops(:
        """,
    })
    (root / "svc/latin.py").write_bytes(b"# no coding line\nfrom fastapi import APIRouter\nname = '\xe9t\xe9'\n")
    (root / "svc/huge.py").write_bytes(b"# fastapi\n" + b"x = 1  # padding padding padding padding\n" * (MAX_BYTES // 40 + 10))
    inventory = build_inventory(root, workers=1)
    skipped = _skipped(inventory)
    assert skipped["svc/broken.py"].startswith("syntax error at line ")
    assert "not valid UTF-8" in skipped["svc/latin.py"]
    assert "too large" in skipped["svc/huge.py"]
    assert all("\n" not in reason for reason in skipped.values())
    assert [(r.methods, r.path) for r in inventory.routes] == [(["GET"], "/ok")]


def test_declared_encoding_is_respected(make_repo):
    root = make_repo(GOOD)
    (root / "svc/legacy.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nfrom fastapi import APIRouter\nrouter = APIRouter()\n"
        b"@router.get('/caf\xe9')\ndef cafe():\n    return {}\n"
    )
    inventory = build_inventory(root, workers=1)
    assert "svc/legacy.py" not in _skipped(inventory)
    assert any("not included in any app" in u.reason for u in inventory.unresolved)


def test_unreadable_file_is_skipped(make_repo):
    root = make_repo({**GOOD, "svc/secret.py": "from fastapi import APIRouter\n"})
    target = root / "svc/secret.py"
    target.chmod(0)
    try:
        try:
            target.read_bytes()
        except PermissionError:
            pass
        else:
            pytest.skip("running as root: chmod 000 does not block reads")
        inventory = build_inventory(root, workers=1)
        assert _skipped(inventory)["svc/secret.py"].startswith("unreadable")
        assert [r.path for r in inventory.routes] == ["/ok"]
    finally:
        target.chmod(0o644)


def test_symlink_loops_are_skipped(make_repo):
    root = make_repo(GOOD)
    os.symlink("self.py", root / "svc/self.py")  # a link to itself
    os.symlink("..", root / "svc/parent")  # a directory link back up the tree
    inventory = build_inventory(root, workers=1)
    skipped = _skipped(inventory)
    assert skipped["svc/self.py"].startswith("symlink loop")
    assert skipped["svc/parent"].startswith("symlink loop")
    assert [r.path for r in inventory.routes] == ["/ok"]


def test_missing_and_non_directory_roots_raise_a_clear_error(tmp_path):
    with pytest.raises(InventoryInputError, match="no such directory"):
        build_inventory(tmp_path / "missing")
    (tmp_path / "file.py").write_text("x = 1\n")
    with pytest.raises(InventoryInputError, match="not a directory"):
        build_inventory(tmp_path / "file.py")


def test_empty_repo_and_repo_without_fastapi(make_repo, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    inventory = build_inventory(empty)
    assert (inventory.apps, inventory.routes, inventory.files_total) == ([], [], 0)
    plain = make_repo({"lib/util.py": "def add(a, b):\n    return a + b\n"}, name="plain")
    inventory = build_inventory(plain)
    assert (inventory.apps, inventory.routes, inventory.files_total, inventory.files_parsed) == ([], [], 1, 0)


ROUTE = """
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/hidden")
    def hidden():
        return {}
"""


@pytest.mark.parametrize(
    "folder",
    [".git", ".venv", "venv", "node_modules", "__pycache__", "build/lib/svc", "dist/svc-1.0/svc", "lib/site-packages",
     "env_with_cfg"],
)
def test_ignored_directories(make_repo, folder):
    root = make_repo({**GOOD, f"{folder}/mod.py": ROUTE})
    if folder == "env_with_cfg":
        (root / folder / "pyvenv.cfg").write_text("home = /usr/bin\n")
    inventory = build_inventory(root, workers=1)
    assert [r.path for r in inventory.routes] == ["/ok"]
    assert all(not a.file.startswith(folder) for a in inventory.apps)


def test_a_package_named_build_is_not_a_build_output(make_repo):
    # setuptools' build/ and dist/ hold folders (lib/, bdist.*, wheels); a `build` package holds modules
    root = make_repo({**GOOD, "svc/features/build/api.py": ROUTE})
    inventory = build_inventory(root, workers=1)
    assert any(a.file == "svc/features/build/api.py" for a in inventory.apps)


def test_tests_are_left_out_unless_asked(make_repo):
    root = make_repo({**GOOD, "tests/test_app.py": ROUTE, "svc/test_local.py": ROUTE, "svc/conftest.py": ROUTE})
    inventory = build_inventory(root, workers=1)
    assert [r.path for r in inventory.routes] == ["/ok"]
    assert inventory.ignored_tests == 3
    with_tests = build_inventory(root, workers=1, include_tests=True)
    assert sorted(r.path for r in with_tests.routes) == ["/hidden", "/hidden", "/hidden", "/ok"]


def test_a_broken_module_on_the_import_path_does_not_stop_the_rest(make_repo):
    root = make_repo({
        "svc/main.py": """
            from fastapi import FastAPI
            from svc import broken, good

            app = FastAPI()
            app.include_router(good.router, prefix="/good")
            app.include_router(broken.router, prefix="/broken")
        """,
        "svc/good.py": """
            from fastapi import APIRouter
            router = APIRouter()

            @router.get("/x")
            def x():
                return {}
        """,
        "svc/broken.py": "from fastapi import APIRouter\nrouter = APIRouter(\n",
    })
    inventory = build_inventory(root, workers=1)
    assert [r.path for r in inventory.routes] == ["/good/x"]
    assert "svc/broken.py" in _skipped(inventory)
    assert any(u.file == "svc/main.py" and "cannot be resolved" in u.reason for u in inventory.unresolved)


def test_unusual_but_valid_code_does_not_crash(make_repo):
    root = make_repo({
        "svc/main.py": """
            from fastapi import FastAPI
            import svc.main as me

            app = FastAPI()
            routers = []
            prefix = "/a"
            prefix += "/b"
            a, b = 1, 2
            app.include_router(me.app.router, prefix="/self")  # an app including its own router

            @app.get(prefix + "/c")
            async def c():
                return {}

            for r in routers:
                app.include_router(r)

            while False:
                app.include_router(undefined_name)
        """,
    })
    inventory = build_inventory(root, workers=1)
    assert "/a/b/c" in {r.path for r in inventory.routes}
    assert inventory.skipped == []
