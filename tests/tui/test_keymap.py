"""keymap.toml checked before it is applied: unknown ids and clashing keys are reported, one
line each, and no action ever loses its key without a word."""

from __future__ import annotations

from textual.binding import Binding

from cockpit.tui.app import CockpitApp
from cockpit.tui.keymap import check_keymap, normalize_key

SCOPES = CockpitApp.binding_scopes()


def test_a_clean_remap_passes_untouched() -> None:
    keymap, problems = check_keymap({"cockpit.archive": "E", "cockpit.approve": "Y,ctrl+a"},
                                    SCOPES)
    assert problems == []
    assert keymap == {"cockpit.archive": "E", "cockpit.approve": "Y,ctrl+a"}


def test_an_unknown_id_is_named_with_a_suggestion() -> None:
    keymap, problems = check_keymap({"cockpit.archiv": "E", "nonsense": "x"}, SCOPES)
    assert keymap == {}
    assert problems[0] == ("keymap.toml: unknown binding id 'cockpit.archiv' (did you mean "
                           "'cockpit.archive'?); ignored")
    assert problems[1] == "keymap.toml: unknown binding id 'nonsense' (? lists the ids); ignored"


def test_a_remap_onto_a_taken_key_is_refused_and_says_so() -> None:
    keymap, problems = check_keymap({"cockpit.archive": "a"}, SCOPES)
    assert keymap == {}
    assert problems == ['keymap.toml: cockpit.archive = "a" ignored: a is already Approve '
                        "(cockpit.approve); cockpit.archive stays on e"]


def test_moving_the_taken_key_away_first_makes_room() -> None:
    keymap, problems = check_keymap({"cockpit.archive": "a", "cockpit.approve": "Y"}, SCOPES)
    assert problems == []
    assert keymap == {"cockpit.archive": "a", "cockpit.approve": "Y"}


def test_keys_of_the_list_and_reserved_keys_clash_too() -> None:
    _keymap, problems = check_keymap({"cockpit.archive": "j", "cockpit.undo": "ctrl+p"},
                                     SCOPES)
    assert any("j is already Down (list.down)" in p for p in problems)
    assert any("ctrl+p is kept for the command palette" in p for p in problems)


def test_two_remaps_onto_one_key_are_both_refused() -> None:
    keymap, problems = check_keymap({"cockpit.archive": "E", "cockpit.mark_read": "E"}, SCOPES)
    assert keymap == {}
    assert len(problems) == 1 and "all want E" in problems[0]


def test_refusing_one_remap_can_expose_another_clash() -> None:
    # archive's remap is refused, so it stays on e, which undo wanted: undo is refused too
    keymap, problems = check_keymap({"cockpit.archive": "a", "cockpit.undo": "e"}, SCOPES)
    assert keymap == {}
    assert len(problems) == 2


def test_moving_one_of_a_shared_key_keeps_its_partner_on_it() -> None:
    # d is deny on waitpoints and reject on escalations: moving deny must not take d from reject
    keymap, problems = check_keymap({"cockpit.deny": "D"}, SCOPES)
    assert problems == []
    assert keymap == {"cockpit.deny": "D", "cockpit.reject": "d"}


def test_dialog_keys_are_checked_in_their_own_scope() -> None:
    keymap, problems = check_keymap({"confirm.yes": "a"}, SCOPES)  # a is approve, elsewhere
    assert problems == [] and keymap == {"confirm.yes": "a"}
    _keymap, problems = check_keymap({"confirm.yes": "n"}, SCOPES)
    assert problems and "n is already No (confirm.no)" in problems[0]


def test_keys_are_compared_as_textual_names_them() -> None:
    assert normalize_key("?") == "question_mark"
    assert normalize_key("/") == "slash"
    assert normalize_key("E") == "E"
    _keymap, problems = check_keymap({"cockpit.archive": "?"}, SCOPES)
    assert problems and "question_mark is already Help" in problems[0]


def test_every_shipped_binding_has_an_id_and_the_defaults_do_not_clash() -> None:
    for scope, bindings in SCOPES.items():
        assert all(isinstance(b, Binding) and b.id for b in bindings), scope
    assert check_keymap({}, SCOPES) == ({}, [])
