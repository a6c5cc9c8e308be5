"""A legacy route that answers an error status on every path (`return JSONResponse(status_code=410, content=...)`,
a retired endpoint kept for old clients) holds no logic for a standard operation: phase 1 must not make the
standard operation call it and map the error body as a success (`message = legacy["detail"]`). Error answers on
some paths do not widen the success shape either."""

from __future__ import annotations

import pytest

from migrator.planner import make_plan
from tests.shapes.conftest import infer_source

MIXED = """
    from fastapi import status
    from fastapi.responses import JSONResponse

    def _forbidden():
        return JSONResponse(status_code=403, content={"error": "forbidden", "code": 19204})

    async def route(user_id: int, root: bool):
        if root:
            return _forbidden()
        if user_id < 0:
            return JSONResponse({"error": "bad id"}, status.HTTP_400_BAD_REQUEST)
        return {"message": "User deleted", "user_id": user_id}
"""

GONE = '''
from fastapi import FastAPI, Header, status
from fastapi.responses import JSONResponse

app = FastAPI()
GONE_BODY = {"error": "410 Gone", "detail": "membership is managed elsewhere"}


@app.delete("/admin/users/{user_id}")
async def remove_user(user_id: int, x_tenant_id: str = Header(...)):
    return JSONResponse(status_code=STATUS, content=GONE_BODY)
'''


def test_error_paths_are_not_part_of_the_success_shape():
    shape = infer_source(MIXED, "route").shape
    assert shape.kind == "object" and not shape.open and shape.error is None
    assert set(shape.fields) == {"message", "user_id"}


@pytest.mark.parametrize("status_code", ["410", "status.HTTP_410_GONE"])
def test_a_route_answering_only_an_error_moves_nothing(tmp_path, status_code):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("")
    (tmp_path / "svc/main.py").write_text(GONE.replace("STATUS", status_code))
    [route] = [r for r in make_plan(tmp_path).plan.routes if r.operation == "delete_user"]
    assert route.verdict.status == "manual"
    [reason] = [r.message for r in route.verdict.reasons]
    assert reason == "`remove_user` answers HTTP 410 on every path: it holds no logic for `delete_user` to move"


def test_a_success_status_is_a_success(tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("")
    (tmp_path / "svc/main.py").write_text(GONE.replace("STATUS", "200").replace(
        'GONE_BODY = {"error": "410 Gone", "detail": "membership is managed elsewhere"}',
        'GONE_BODY = {"message": "User deleted"}'))
    [route] = [r for r in make_plan(tmp_path).plan.routes if r.operation == "delete_user"]
    assert route.verdict.status == "automatic"
