"""Masking payload values under credential keys, on the read path of every item."""

from __future__ import annotations

import copy

from cockpit.domain.masking import masked_payload


def test_values_under_credential_keys_are_masked_by_name_or_dotted_path() -> None:
    payload = {"db": {"password": "hunter2-le", "host": "db.internal"},
               "steps": [{"api_key": "sk-123456"}, {"name": "deploy"}],
               "token": 123456, "note": "fine"}
    before = copy.deepcopy(payload)
    masked, found = masked_payload(payload)
    assert found
    assert masked["db"]["password"].startswith("••••") and "hunter" not in \
        masked["db"]["password"] and masked["db"]["host"] == "db.internal"
    assert masked["steps"][0]["api_key"].startswith("••••") and masked["steps"][1] == \
        {"name": "deploy"}
    assert masked["token"] != 123456 and masked["note"] == "fine"
    assert payload == before  # the row's own payload is never changed


def test_a_payload_with_nothing_to_mask_is_answered_as_it_is() -> None:
    """Most payloads: nothing copied (the read path walks every item of every window)."""
    payload = {"run": {"id": "r-1", "steps": [{"name": "build"}]}, "url": "https://x"}
    masked, found = masked_payload(payload)
    assert masked is payload and not found
    assert masked_payload({"password": "", "key": None}) == ({"password": "", "key": None},
                                                              False)
