"""A route-like decorator on an object another web framework made (`@bolt_app.options(...)` of Slack Bolt,
`@blueprint.get(...)` of Flask, mounted beside FastAPI) is no FastAPI route: not counted in coverage, not listed as
unresolved. An object of an unknown outside library keeps its unresolved entry: it may well be a FastAPI router
(Netflix/dispatch's Slack plugin: `@app.options` of a `slack_bolt.App` read as an unresolved FastAPI route)."""

from __future__ import annotations

from migrator.inventory import build_inventory

FILES = {
    "svc/__init__.py": "",
    "svc/main.py": """
        from fastapi import FastAPI

        from svc import bolt, legacy, plugin  # noqa: F401

        app = FastAPI()

        @app.get("/health")
        def health():
            return {"ok": True}
    """,
    "svc/bolt.py": """
        from slack_bolt.app import App

        bolt_app = App(token="xoxb")

        @bolt_app.options("tags_multi_select")
        def tag_search(ack):
            ack()
    """,
    "svc/legacy.py": """
        import flask

        blueprint = flask.Blueprint("legacy", __name__)

        @blueprint.get("/old")
        def old():
            return "old"
    """,
    "svc/plugin.py": """
        from routerkit import make_router

        router = make_router()

        @router.get("/plugin")
        def plugin_route():
            return {}
    """,
}


def test_other_frameworks_routes_are_neither_counted_nor_unresolved(make_repo):
    inventory = build_inventory(make_repo(FILES), workers=1)
    assert [(r.path, r.methods) for r in inventory.routes] == [("/health", ["GET"])]
    assert [u.file for u in inventory.unresolved] == ["svc/plugin.py"]
    assert "routerkit.make_router" in inventory.unresolved[0].reason
    assert (inventory.coverage.seen, inventory.coverage.placed) == (2, 1)
    assert [u.file for u in inventory.coverage.unplaced] == ["svc/plugin.py"]
