"""What ingest stores: redacted, one-line titles, inert control characters, outage advisories."""

from __future__ import annotations

from tests.factories import item

FAKE_GITHUB = "ghp_" + "A1b2C3d4E5f6G7h8I9j0" * 2


def test_secrets_in_title_and_body_never_reach_the_store(as_user, engine):
    from sqlalchemy import text

    svc = as_user("svc")
    stored = svc.ingest(
        title=f"Deploy failed: token {FAKE_GITHUB} rejected",
        body_md=f"Log:\n\n    git clone https://ci:{FAKE_GITHUB}@git.example.com/app.git\n"
                "password=hunter2hunter2\n\nSee the password reset guide.",
    )
    assert FAKE_GITHUB not in stored["title"] and "[REDACTED" in stored["title"]
    assert FAKE_GITHUB not in stored["body_md"] and "hunter2hunter2" not in stored["body_md"]
    assert "https://ci:" in stored["body_md"] and "git.example.com/app.git" in stored["body_md"]
    assert "password reset guide" in stored["body_md"]
    with engine.connect() as conn:
        raw = " ".join(str(v) for v in conn.execute(text("SELECT * FROM items")).one())
    assert FAKE_GITHUB not in raw and "hunter2hunter2" not in raw


def test_title_is_redacted_before_it_is_cut(as_user):
    title = "x" * 70 + " " + FAKE_GITHUB
    stored = as_user("svc").ingest(title=title)
    assert len(stored["title"]) <= 80
    assert "ghp_" not in stored["title"] and "A1b2" not in stored["title"]


def test_titles_become_one_line_of_at_most_80(as_user):
    stored = as_user("svc").ingest(title="  Line one\n\tline two   " + "y" * 100)
    assert "\n" not in stored["title"] and "\t" not in stored["title"]
    assert stored["title"].startswith("Line one line two") and len(stored["title"]) == 80
    assert stored["title"].endswith("…")


def test_control_characters_are_neutralised_everywhere(as_user):
    evil = "\x1b[31mred\x1b[0m \x9b2J \u202etxt.exe \x07\x00\x7f"
    stored = as_user("svc").ingest(
        title=evil, body_md=evil,
        sender={"type": "agent", "id": "agent:" + evil, "name": evil},
        tags=[evil], payload={"note": evil, evil: [evil]},
    )
    strings = [stored["title"], stored["body_md"], stored["sender"]["id"],
               stored["sender"]["name"], stored["tags"][0], stored["payload"]["note"],
               *(k for k in stored["payload"] if k != "note"), *[v for vs in stored["payload"].values()
                                            if isinstance(vs, list) for v in vs]]
    for value in strings:
        assert not any(ch in value for ch in "\x1b\x9b\u202e\x07\x00\x7f"), value
        assert "red" in value


def test_an_outage_reason_is_rewritten_and_the_raw_text_kept(as_user):
    reason = "evaluator service unavailable (HTTP 503 from upstream)"
    stored = as_user("svc").ingest(kind="escalation", title="Proposal needs review", payload={
        "reason": reason, "proposed_action": "scale web to 6", "risk_score": 3})
    assert stored["payload"]["raw_reason"] == reason
    assert stored["payload"]["reason"] != reason and "evaluator" in stored["payload"]["reason"]


def test_a_pure_outage_advisory_is_dropped(as_user, svc):
    body = item(kind="escalation", title="LLM provider timeout",
                payload={"advisory": True, "reason": "LLM provider timeout: 503 from upstream"})
    for _ in range(3):  # every sweep raises it again; none is stored
        response = svc.post("/inbox/items", json=body)
        assert response.status_code == 202 and response.json()["dropped"] is True
    assert as_user("mel").get("/inbox/count").json()["active"] == 0


def test_an_ordinary_advisory_is_kept(as_user, svc):
    response = svc.post("/inbox/items", json=item(
        kind="escalation", payload={"advisory": True, "reason": "agent asks to deploy on Friday"}))
    assert response.status_code == 201
    assert response.json()["payload"]["reason"] == "agent asks to deploy on Friday"


def test_payload_text_is_redacted_but_credential_fields_are_kept_for_reveal(as_user):
    stored = as_user("svc").ingest(kind="failed_run", payload={
        "error": f"push failed: remote rejected token {FAKE_GITHUB}",
        "inputs": {"repo": "web", "db_password": "s3cr3t-Value-99"},
        "run_id": "run-7"})
    assert FAKE_GITHUB not in stored["payload"]["error"]
    assert stored["payload"]["error"].startswith("push failed: remote rejected token")
    assert stored["payload"]["inputs"] == {"repo": "web", "db_password": "••••••••"}
    assert stored["payload"]["run_id"] == "run-7"
    path = f"/inbox/{stored['id']}"
    assert as_user("mel").get(path).json()["payload"]["inputs"]["db_password"] == "••••••••"
    assert as_user("mel").get(path, params={"reveal": "true"}).status_code == 403
    revealed = as_user("mia").get(path, params={"reveal": "true"}).json()
    assert revealed["payload"]["inputs"] == {"repo": "web", "db_password": "s3cr3t-Value-99"}
    journal = as_user("olivia").get("/audit", params={"item_id": stored["id"]}).json()
    assert [(r["actor"], r["action"]) for r in journal["records"]] == [("mia", "reveal")]
