"""shims.adapters.legacy_json: a legacy answer that reports a failure is raised as the HTTP error it stands for
(and `legacy_errors` turns it into the standard error), never read as a success."""

from __future__ import annotations

import pytest
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from shims.adapters import legacy_errors, legacy_json
from shims.standard_api import InvalidRequestError, UserNotFoundError


class Outcome(BaseModel):
    """A `{code, msg, data}` answer model: the HTTP status of the outcome in `code`."""

    code: int = 200
    msg: str = "ok"
    data: dict | None = None


@pytest.mark.parametrize(("answer", "model", "status", "text"), [
    (Outcome(code=400, msg="delete failed"), Outcome, 400, "delete failed"),
    (Outcome(code=404, msg="no such user"), None, 404, "no such user"),
    ({"code": 500, "message": "store down", "data": None, "trace_id": "abc"}, None, 500, "store down"),
    (JSONResponse({"detail": "User not found"}, status_code=404), None, 404, "User not found"),
    (JSONResponse({"code": 403, "msg": "forbidden"}, status_code=403), None, 403, "forbidden"),
    (PlainTextResponse("gone away", status_code=410), None, 410, "gone away"),
    (JSONResponse(None, status_code=409), None, 409, "legacy answer 409"),
    (JSONResponse({"code": 400, "msg": "bad dept"}, status_code=200), None, 400, "bad dept"),
])
def test_a_failure_answer_is_raised_as_its_http_error(answer, model, status, text):
    with pytest.raises(HTTPException) as caught:
        legacy_json(answer, model)
    assert (caught.value.status_code, caught.value.detail) == (status, text)


@pytest.mark.parametrize(("answer", "model", "expected"), [
    (Outcome(), Outcome, {"code": 200, "msg": "ok", "data": None}),
    (Outcome(code=400, msg="partly", data={"id": 1}), None, {"code": 400, "msg": "partly", "data": {"id": 1}}),
    ({"code": 404, "msg": "x", "name": "ticket"}, None, {"code": 404, "msg": "x", "name": "ticket"}),
    ({"code": "E404", "msg": "x"}, None, {"code": "E404", "msg": "x"}),
    ({"code": 10001, "msg": "x"}, None, {"code": 10001, "msg": "x"}),
    ({"code": 404}, None, {"code": 404}),
    ([{"code": 404, "msg": "x"}], None, [{"code": 404, "msg": "x"}]),
    (JSONResponse({"id": 3, "code": 404}, status_code=201), None, {"id": 3, "code": 404}),
])
def test_other_answers_are_read_as_they_are(answer, model, expected):
    assert legacy_json(answer, model) == expected


def test_legacy_errors_translates_an_envelope_failure():
    with pytest.raises(UserNotFoundError):
        with legacy_errors("delete_user", tenant_id="t", user_id="7"):
            legacy_json(Outcome(code=404, msg="no such user"), Outcome)
    with pytest.raises(InvalidRequestError):
        with legacy_errors("delete_user", tenant_id="t", user_id="7"):
            legacy_json(Outcome(code=400, msg="delete failed"), Outcome)
