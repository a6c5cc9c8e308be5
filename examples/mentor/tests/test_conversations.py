"""A signed-in user's own conversations."""

from __future__ import annotations

API = "/api/v1"


def test_list_holds_only_my_conversations_newest_first(client, student, sql):
    body = client.get(f"{API}/conversations", headers=student, params={"limit": 100}).json()
    expected = sql("SELECT c.id, c.title, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id),"
                   " replace(substr(c.created_at, 1, 19), ' ', 'T'), replace(substr(c.updated_at, 1, 19), ' ', 'T')"
                   " FROM conversations c WHERE c.user_id = 2 ORDER BY c.updated_at DESC, c.id DESC")
    assert isinstance(body, list) and [tuple(item.values()) for item in body] == expected
    assert len(body) > 3


def test_list_limit(client, student):
    assert len(client.get(f"{API}/conversations", headers=student, params={"limit": 2}).json()) == 2
    assert client.get(f"{API}/conversations", headers=student, params={"limit": 101}).status_code == 422


def test_detail_lists_the_turns_in_order(client, student, sql):
    (conversation,), = sql("SELECT id FROM conversations WHERE user_id = 2 ORDER BY id LIMIT 1")
    body = client.get(f"{API}/conversations/{conversation}", headers=student).json()
    rows = sql("SELECT id, role, model, prompt_tokens, completion_tokens FROM messages WHERE conversation_id = ?"
               " ORDER BY created_at, id", conversation)
    assert [(m["id"], m["role"], m["model"], m["prompt_tokens"], m["completion_tokens"]) for m in body["messages"]] \
        == rows
    assert [m["role"] for m in body["messages"][:2]] == ["user", "assistant"]


def test_someone_elses_conversation_is_404(client, student, admin, sql):
    (other,), = sql("SELECT id FROM conversations WHERE user_id NOT IN (1, 2) ORDER BY id LIMIT 1")
    response = client.get(f"{API}/conversations/{other}", headers=student)
    assert response.status_code == 404 and response.json() == {"detail": "Conversation not found"}
    # even for an admin: this route is about the caller's own history
    assert client.get(f"{API}/conversations/{other}", headers=admin).status_code == 404
    assert client.get(f"{API}/conversations/999999", headers=admin).status_code == 404
