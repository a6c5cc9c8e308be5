"""Coverage: every route decorator and registration call seen is placed in an app, or listed with its reason."""

from __future__ import annotations

from migrator.inventory import build_inventory

SERVICE = {
    "svc/__init__.py": "",
    "svc/settings.py": """
        import os

        class Settings:
            PREFIX: str  # no default: set by the deployment

        settings = Settings()
        BETA = os.environ.get("SVC_BETA")
    """,
    "svc/orphan.py": """
        from fastapi import APIRouter

        router = APIRouter(prefix="/orphan")

        @router.get("/a")
        def orphan_a():
            return {}

        @router.post("/b")
        def orphan_b():
            return {}
    """,
    "svc/dynamic.py": """
        from fastapi import APIRouter

        router = APIRouter()

        @router.get("/d")
        def dyn():
            return {}
    """,
    "svc/plugin.py": """
        from fastapi import FastAPI

        def install(app: FastAPI) -> None:
            @app.get("/plugin")
            def plugin():
                return {}
    """,
    "svc/main.py": """
        from fastapi import FastAPI

        from svc import dynamic
        from svc.settings import BETA, settings

        app = FastAPI()

        @app.get("/ok")
        def ok():
            return {}

        def health():
            return {}

        app.add_api_route("/health", health)
        app.include_router(dynamic.router, prefix=settings.PREFIX)

        if BETA:
            @app.get("/beta")
            def beta():
                return {}
    """,
}


def _lines(root, rel: str, text: str) -> int:
    return next(i for i, t in enumerate((root / rel).read_text().splitlines(), 1) if text in t)


def test_every_site_is_placed_or_listed_with_its_reason(make_repo):
    root = make_repo(SERVICE)
    inventory = build_inventory(root, workers=1)
    coverage = inventory.coverage
    assert {r.path for r in inventory.routes} == {"/ok", "/health"}
    assert (coverage.seen, coverage.placed) == (7, 2)
    reasons = {(u.file, u.line): u for u in coverage.unplaced}
    assert len(reasons) == 5
    orphan = reasons[("svc/orphan.py", _lines(root, "svc/orphan.py", '@router.get("/a")'))]
    assert orphan.function == "orphan_a" and "is not included in any app" in orphan.reason
    assert "svc/orphan.py:3" in orphan.reason  # where the router is made
    dynamic = reasons[("svc/dynamic.py", _lines(root, "svc/dynamic.py", "@router.get"))]
    assert "prefix that is not static" in dynamic.reason and "svc/main.py" in dynamic.reason
    plugin = reasons[("svc/plugin.py", _lines(root, "svc/plugin.py", "@app.get"))]
    assert "inside `install`, which is not called" in plugin.reason
    beta = reasons[("svc/main.py", _lines(root, "svc/main.py", '@app.get("/beta")'))]
    assert "`if BETA`" in beta.reason and "is false" in beta.reason
    assert 0 < coverage.ratio < 0.9


def test_a_fully_resolved_service_has_full_coverage(make_repo):
    root = make_repo({k: v for k, v in SERVICE.items() if k in ("svc/__init__.py", "svc/main.py", "svc/dynamic.py",
                                                               "svc/settings.py")})
    (root / "svc/settings.py").write_text("settings = type('S', (), {})()\nBETA = None\n")
    (root / "svc/main.py").write_text((root / "svc/main.py").read_text().replace("prefix=settings.PREFIX", ""))
    inventory = build_inventory(root, workers=1)
    assert inventory.coverage.seen == 4 and inventory.coverage.unplaced == [
        u for u in inventory.coverage.unplaced if "beta" in (u.function or "")
    ]
    assert inventory.coverage.placed == 3


def test_a_file_skipped_twice_is_listed_once(make_repo):
    root = make_repo({
        "svc/main.py": """
            from fastapi import FastAPI
            from svc.broken import PREFIX

            app = FastAPI()
            app.include_router(__import__("x").router, prefix=PREFIX)
        """,
        "svc/broken.py": "from fastapi import APIRouter\nPREFIX = (\n",
    })
    inventory = build_inventory(root, workers=1)
    assert [s.file for s in inventory.skipped] == ["svc/broken.py"]


PER_INSTANCE = {
    "svc/__init__.py": "",
    "svc/views.py": """
        from fastapi import APIRouter, FastAPI


        class Base:
            def __init__(self):
                self.router = APIRouter()
                self.register()

            def register(self):
                pass


        class Notes(Base):
            def register(self):
                @self.router.get("/notes")
                async def list_notes():
                    return []


        class Shell:
            def __init__(self):
                self.app = FastAPI()
                self.wire()

            def wire(self):
                @self.app.get("/ping")
                def ping():
                    return {}


        def install(app):
            @app.get("/plugin")
            def plugin():
                return {}
    """,
    "svc/main.py": """
        from fastapi import FastAPI

        app = FastAPI()
    """,
}


def test_a_method_run_through_self_names_its_caller_and_the_per_instance_limit(make_repo):
    root = make_repo(PER_INSTANCE)
    reasons = {u.function: u.reason for u in build_inventory(root, workers=1).coverage.unplaced}
    notes = reasons["Notes.register.<locals>.list_notes"]
    base_call = _lines(root, "svc/views.py", "self.register()")
    assert f"which `Base.__init__` (svc/views.py:{base_call}) runs as `self.register()`" in notes
    assert "instances are not evaluated" in notes and "not called statically" not in notes
    ping = reasons["Shell.wire.<locals>.ping"]  # its own class's caller, not another class's
    assert f"which `Shell.__init__` (svc/views.py:{_lines(root, 'svc/views.py', 'self.wire()')})" in ping
    assert reasons["install.<locals>.plugin"].startswith("inside `install`, which is not called statically")


def test_a_router_included_only_in_a_branch_that_does_not_run_names_that_branch(make_repo):
    root = make_repo({
        "svc/__init__.py": "",
        "svc/settings.py": """
            class Settings:
                ENVIRONMENT: str = "production"

            settings = Settings()
        """,
        "svc/private.py": """
            from fastapi import APIRouter

            router = APIRouter(prefix="/private")

            @router.post("/users")
            def create_user():
                return {}
        """,
        "svc/main.py": """
            from fastapi import FastAPI

            from svc import private
            from svc.settings import settings

            app = FastAPI()

            if settings.ENVIRONMENT == "local":
                app.include_router(private.router)
        """,
    })
    inventory = build_inventory(root, workers=1)
    why = ('router `router` (svc/private.py:3) is not included in any app statically: its include (svc/main.py:9) is '
           'under `if settings.ENVIRONMENT == "local"` (svc/main.py:8), which is false with the default environment '
           'and settings')
    assert [(u.file, u.reason) for u in inventory.coverage.unplaced] == [("svc/private.py", why)]
    assert inventory.routes == []


def test_a_router_factory_called_in_a_branch_that_does_not_run_is_not_run(make_repo):
    root = make_repo({
        "svc/__init__.py": "",
        "svc/private.py": """
            from fastapi import APIRouter

            def make_router():
                router = APIRouter(prefix="/private")

                @router.post("/users")
                def create_user():
                    return {}

                return router
        """,
        "svc/main.py": """
            import os

            from fastapi import FastAPI

            from svc import private

            app = FastAPI()

            if os.environ.get("SVC_ENV") == "local":
                app.include_router(private.make_router())
        """,
    })
    inventory = build_inventory(root, workers=1)
    assert inventory.unresolved == []
    [unplaced] = inventory.coverage.unplaced
    assert unplaced.reason == ("inside `make_router`, which is not called statically (no app registers this route on "
                               "import)")
