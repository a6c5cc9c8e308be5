"""A school's courses (Page[CourseOut])."""

from __future__ import annotations

import pytest


def test_courses_with_their_numbers(client, school, sql):
    body = client.get("/v1/courses", headers=school(1), params={"size": 100}).json()
    rows = sql("SELECT c.id, c.title, c.subject, c.teacher_id, u.name,"
               " (SELECT COUNT(*) FROM enrollment e WHERE e.course_id = c.id),"
               " (SELECT COUNT(*) FROM question q WHERE q.course_id = c.id)"
               " FROM course c LEFT JOIN user u ON u.id = c.teacher_id WHERE c.tenant_id = 1 ORDER BY c.id")
    assert body["total"] == len(rows) == 24 and body["pages"] == 1
    for course, (cid, title, subject, teacher_id, teacher_name, students, questions) in zip(body["items"], rows):
        assert (course["id"], course["title"], course["subject"], course["students"], course["questions"]) == (
            cid, title, subject, students, questions)
        assert course["teacher"] == ({"id": teacher_id, "name": teacher_name} if teacher_id else None)
    assert sum(1 for course in body["items"] if course["teacher"] is None) == 1


def test_course_pages_and_search(client, school, sql):
    first = client.get("/v1/courses", headers=school(2), params={"size": 5}).json()
    assert (first["total"], first["pages"], len(first["items"])) == (14, 3, 5)
    found = client.get("/v1/courses", headers=school(2), params={"q": "수학"}).json()
    expected = sql("SELECT COUNT(*) FROM course WHERE tenant_id = 2 AND (title LIKE '%수학%' OR subject LIKE '%수학%')")
    assert found["total"] == expected[0][0] > 0


@pytest.mark.parametrize("params", [{"page": 0}, {"size": 101}])
def test_course_paging_bounds(client, school, params):
    assert client.get("/v1/courses", headers=school(1), params=params).status_code == 422
