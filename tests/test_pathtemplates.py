import textwrap
from pathlib import Path

from starlette.routing import PARAM_REGEX
from typer.testing import CliRunner

from migrator.cli import app
from migrator.pathtemplates import bare, fill, matcher, path_params, segment_param, shape
from shims.pathtemplates import PARAM, matched_route_path


def test_parameters_and_shapes_as_starlette_reads_them():
    assert path_params("/api/tenant/status/{tenant_id}") == ("tenant_id",)
    assert path_params("/files/{path:path}/v/{n:int}") == ("path", "n")
    assert shape("/admin/users/{user_id}") == shape("/admin/users/{uid:int}") == "/admin/users/{}"
    assert shape("/health") == "/health"


def test_the_parameter_grammar_is_starlettes():
    assert PARAM.pattern == PARAM_REGEX.pattern
    assert path_params("/a/{1x}/{x-y}/{ok}") == ("ok",)  # not parameters for Starlette either


def test_segments_bare_templates_and_filling():
    assert segment_param("{user_id}") == "user_id"
    assert segment_param("{uid:int}") == "uid"
    assert segment_param("users") is None and segment_param("x{uid}") is None
    assert bare("/files/{p:path}/v/{n:int}/{m}") == "/files/{p}/v/{n}/{m}"
    assert fill("/mt/tenant/{tenant_id}/users/{user_id:int}", {"tenant_id": "a b", "user_id": ""}) == (
        "/mt/tenant/a b/users/{user_id:int}")  # a parameter without a value stays as written
    assert fill("/t/{tenant_id}", {"tenant_id": "a/b"}, lambda v: v.replace("/", "%2F")) == "/t/a%2Fb"


def test_a_convertor_the_service_registers_itself_reads_as_a_segment():
    assert shape("/admin/users/{uid:slug}") == "/admin/users/{}"  # was: AssertionError from compile_path
    assert matcher("/admin/users/{uid:slug}").match("/admin/users/ab-c").groupdict() == {"uid": "ab-c"}


def test_matching_is_starlettes():
    assert matcher("/u/{id:int}").match("/u/12").groupdict() == {"id": "12"}
    assert matcher("/u/{id:int}").match("/u/abc") is None  # the service's router did not match it either
    assert matcher("/files/{p:path}").match("/files/a/b/c").groupdict() == {"p": "a/b/c"}
    assert matcher("/u/{id}").match("/u/a/b") is None
    assert matcher("/a/{x}/b/{x}").match("/a/1/b/1") is None  # Starlette refuses a name written twice


def test_matched_route_path_prefers_fastapis_effective_route_context():
    class Context:
        path = "/admin/users/{user_id}"

    class Route:
        path = "/users/{user_id}"

    assert matched_route_path({"fastapi": {"effective_route_context": Context()}, "route": Route()}) == Context.path
    assert matched_route_path({"route": Route()}) == Route.path
    assert matched_route_path({}) is None


def test_analyze_reads_a_route_with_a_custom_convertor(tmp_path: Path):
    source = """
        from fastapi import FastAPI, Header

        app = FastAPI()


        @app.get("/admin/users/{user_id:slug}")
        def get_user(user_id: str, x_tenant_id: str = Header(..., alias="X-Tenant-ID")):
            return {"id": user_id}
    """
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "main.py").write_text(textwrap.dedent(source), encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", str(tmp_path), "--format", "json", "-o", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    assert "/admin/users/{user_id:slug}" in (tmp_path / "r.json").read_text(encoding="utf-8")
