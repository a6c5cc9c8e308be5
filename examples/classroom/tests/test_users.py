"""A school's members: the Page[UserOut] list, detail, create (201), PATCH, delete."""

from __future__ import annotations

import math

import pytest

USER_FIELDS = ["id", "email", "name", "role", "status", "grade", "created_at", "last_seen_at"]
NEW = {"email": "New.Student@Hanbit.hs.kr", "name": "  신입생  ", "grade": 10}


def error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def test_default_page(client, school, sql):
    body = client.get("/v1/users", headers=school(1)).json()
    total = sql("SELECT COUNT(*) FROM user WHERE tenant_id = 1")[0][0]
    assert list(body) == ["items", "total", "page", "size", "pages"]
    assert (body["total"], body["page"], body["size"], body["pages"]) == (total, 1, 20, math.ceil(total / 20))
    assert [user["id"] for user in body["items"]] == list(range(1, 21))
    assert all(list(user) == USER_FIELDS for user in body["items"])


def test_pages_walk_through_everyone(client, school, sql):
    seen, page = [], 1
    while True:
        body = client.get("/v1/users", headers=school(2), params={"page": page, "size": 37}).json()
        seen += [user["id"] for user in body["items"]]
        if page >= body["pages"]:
            break
        page += 1
    assert seen == [row[0] for row in sql("SELECT id FROM user WHERE tenant_id = 2 ORDER BY id")]
    after = client.get("/v1/users", headers=school(2), params={"page": page + 1, "size": 37}).json()
    assert after["items"] == [] and after["total"] == len(seen)


@pytest.mark.parametrize("params", [{"page": 0}, {"size": 0}, {"size": 101}, {"page": "two"}, {"role": "principal"},
                                    {"status": "gone"}, {"q": "x" * 101}])
def test_bad_paging_and_filters_are_422(client, school, params):
    assert client.get("/v1/users", headers=school(1), params=params).status_code == 422


@pytest.mark.parametrize("params, where", [
    ({"role": "teacher"}, "role = 'teacher'"),
    ({"role": "admin"}, "role = 'admin'"),
    ({"status": "suspended"}, "status = 'suspended'"),
    ({"role": "student", "status": "active"}, "role = 'student' AND status = 'active'"),
])
def test_role_and_status_filters(client, school, sql, params, where):
    body = client.get("/v1/users", headers=school(1), params={**params, "size": 100}).json()
    expected = [row[0] for row in sql(f"SELECT id FROM user WHERE tenant_id = 1 AND {where} ORDER BY id")]
    assert body["total"] == len(expected) > 0
    assert [user["id"] for user in body["items"]] == expected[:100]


@pytest.mark.parametrize("q", ["kim", "KIM", "김", "hanbit.hs", "yerin.lee"])
def test_q_searches_name_and_email(client, school, sql, q):
    body = client.get("/v1/users", headers=school(1), params={"q": q, "size": 100}).json()
    expected = [row[0] for row in sql("SELECT id, name, email FROM user WHERE tenant_id = 1 ORDER BY id")
                if q.lower() in row[1].lower() or q.lower() in row[2].lower()]
    assert body["total"] == len(expected) > 0 and [user["id"] for user in body["items"]] == expected[:100]


@pytest.mark.parametrize("q", ["%", "_", "\\"])
def test_like_wildcards_are_literal(client, school, q):
    assert client.get("/v1/users", headers=school(1), params={"q": q}).json()["total"] == 0


def test_detail_activity_matches_sql(client, school, scalar, sql):
    from classroom.pricing import PRICES

    user = scalar("SELECT user_id FROM question WHERE tenant_id = 1 GROUP BY user_id ORDER BY COUNT(*) DESC LIMIT 1")
    body = client.get(f"/v1/users/{user}", headers=school(1)).json()
    assert list(body) == USER_FIELDS + ["activity"]
    rows = sql("SELECT model, prompt_tokens, completion_tokens FROM question WHERE user_id = ?", user)
    cost = sum((p * PRICES[m][0] + c * PRICES[m][1]) / 1000 for m, p, c in rows)
    courses = scalar("SELECT COUNT(*) FROM enrollment WHERE user_id = ?", user) + scalar(
        "SELECT COUNT(*) FROM course WHERE teacher_id = ?", user)
    assert body["activity"] == {"questions": len(rows), "tokens": sum(p + c for _m, p, c in rows),
                                "cost_usd": pytest.approx(round(cost, 4), abs=1e-4), "courses": courses}
    assert body["last_seen_at"].replace("T", " ") == scalar("SELECT MAX(created_at) FROM question WHERE user_id = ?",
                                                            user)[:19]


def test_detail_of_a_teacher_counts_the_courses_they_teach(client, school, scalar):
    teacher = scalar("SELECT teacher_id FROM course WHERE tenant_id = 1 AND teacher_id IS NOT NULL LIMIT 1")
    body = client.get(f"/v1/users/{teacher}", headers=school(1)).json()
    assert body["role"] == "teacher"
    assert body["activity"]["courses"] == scalar("SELECT COUNT(*) FROM course WHERE teacher_id = ?", teacher) > 0


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_unknown_user_is_404(client, school, method):
    response = client.request(method, "/v1/users/99999", headers=school(1), json={})
    assert response.status_code == 404 and response.json() == error("user_not_found", "User 99999 not found")


def test_a_user_id_that_is_not_an_integer_is_422(client, school):
    assert client.get("/v1/users/abc", headers=school(1)).status_code == 422


def test_create_answers_201_with_defaults(client, school, sql):
    response = client.post("/v1/users", headers=school(1), json=NEW)
    assert response.status_code == 201
    body = response.json()
    new_id = sql("SELECT MAX(id) FROM user")[0][0]
    assert body == {"id": new_id, "email": "new.student@hanbit.hs.kr", "name": "신입생", "role": "student",
                    "status": "active", "grade": 10, "created_at": "2026-11-20T15:00:00", "last_seen_at": None}
    assert sql("SELECT tenant_id, role FROM user WHERE id = ?", new_id) == [(1, "student")]
    assert client.get(f"/v1/users/{new_id}", headers=school(1)).json()["activity"]["questions"] == 0


def test_create_a_teacher(client, school):
    body = client.post("/v1/users", headers=school(2), json={"email": "t@saebom.ms.kr", "name": "새 선생님",
                                                               "role": "teacher"}).json()
    assert (body["role"], body["grade"]) == ("teacher", None)


def test_the_same_email_twice_in_one_school_is_409(client, school, scalar):
    existing = scalar("SELECT email FROM user WHERE id = 5")
    response = client.post("/v1/users", headers=school(1), json={**NEW, "email": existing.upper()})
    assert response.status_code == 409
    assert response.json() == error("user_exists", f"{existing} is already registered in this school")


def test_the_same_email_in_another_school_is_fine(client, school, scalar):
    existing = scalar("SELECT email FROM user WHERE id = 5")
    assert client.post("/v1/users", headers=school(2), json={**NEW, "email": existing}).status_code == 201


def test_a_full_school_refuses_new_members(client, school, scalar):
    free = 64 - scalar("SELECT COUNT(*) FROM user WHERE tenant_id = 3")
    assert free == 4
    for number in range(free):
        created = client.post("/v1/users", headers=school(3), json={"email": f"s{number}@daehan.kr", "name": "학생"})
        assert created.status_code == 201
    response = client.post("/v1/users", headers=school(3), json={"email": "one.more@daehan.kr", "name": "학생"})
    assert response.status_code == 403
    assert response.json() == error("seat_limit_reached", "All 64 seats of this school are taken")
    assert scalar("SELECT COUNT(*) FROM user WHERE tenant_id = 3") == 64


@pytest.mark.parametrize("change", [{"email": "no-at-sign"}, {"name": ""}, {"name": "   "}, {"grade": 13},
                                    {"grade": 0}, {"role": "principal"}, {"tenant_id": 2}, {"status": "active"}])
def test_create_invalid_is_422(client, school, scalar, change):
    before = scalar("SELECT COUNT(*) FROM user")
    assert client.post("/v1/users", headers=school(1), json={**NEW, **change}).status_code == 422
    assert scalar("SELECT COUNT(*) FROM user") == before


def test_patch_changes_only_what_is_sent(client, school, sql):
    before = client.get("/v1/users/30", headers=school(1)).json()
    response = client.patch("/v1/users/30", headers=school(1), json={"name": "바뀐 이름"})
    assert response.status_code == 200
    after = response.json()
    assert after == {**{key: before[key] for key in USER_FIELDS}, "name": "바뀐 이름"}
    assert sql("SELECT name FROM user WHERE id = 30") == [("바뀐 이름",)]


def test_patch_role_status_and_clear_grade(client, school, sql):
    body = client.patch("/v1/users/30", headers=school(1),
                        json={"role": "teacher", "status": "suspended", "grade": None}).json()
    assert (body["role"], body["status"], body["grade"]) == ("teacher", "suspended", None)
    assert sql("SELECT role, status, grade FROM user WHERE id = 30") == [("teacher", "suspended", None)]


def test_patch_with_nothing_changes_nothing(client, school):
    before = client.get("/v1/users/30", headers=school(1)).json()
    after = client.patch("/v1/users/30", headers=school(1), json={}).json()
    assert after == {key: before[key] for key in USER_FIELDS}


@pytest.mark.parametrize("body", [{"email": "new@x.kr"}, {"role": "owner"}, {"status": "deleted"}, {"grade": 20},
                                  {"name": ""}])
def test_patch_invalid_is_422(client, school, body):
    assert client.patch("/v1/users/30", headers=school(1), json=body).status_code == 422


def test_put_is_not_how_users_change(client, school):
    assert client.put("/v1/users/30", headers=school(1), json={"name": "x"}).status_code == 405


def test_delete_removes_the_member_and_their_traces(client, school, scalar):
    teacher = scalar("SELECT teacher_id FROM course WHERE tenant_id = 1 AND teacher_id IS NOT NULL LIMIT 1")
    response = client.delete(f"/v1/users/{teacher}", headers=school(1))
    assert response.status_code == 200 and response.json() == {"id": teacher, "deleted": True}
    assert client.get(f"/v1/users/{teacher}", headers=school(1)).status_code == 404
    assert scalar("SELECT COUNT(*) FROM question WHERE user_id = ?", teacher) == 0
    assert scalar("SELECT COUNT(*) FROM enrollment WHERE user_id = ?", teacher) == 0
    assert scalar("SELECT COUNT(*) FROM course WHERE teacher_id = ?", teacher) == 0
    assert client.delete(f"/v1/users/{teacher}", headers=school(1)).status_code == 404


def test_a_course_whose_teacher_left_keeps_its_students(client, school, scalar):
    course, teacher = (scalar("SELECT id FROM course WHERE tenant_id = 1 AND teacher_id IS NOT NULL LIMIT 1"),
                       scalar("SELECT teacher_id FROM course WHERE tenant_id = 1 AND teacher_id IS NOT NULL LIMIT 1"))
    client.delete(f"/v1/users/{teacher}", headers=school(1))
    listed = {c["id"]: c for c in client.get("/v1/courses", headers=school(1), params={"size": 100}).json()["items"]}
    assert listed[course]["teacher"] is None
    assert listed[course]["students"] == scalar("SELECT COUNT(*) FROM enrollment WHERE course_id = ?", course) > 0
