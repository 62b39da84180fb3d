"""core.text: the one cleaner of calendar text for terminals and logs (table-driven; the
properties are in tests/property/test_text_props.py)."""

from __future__ import annotations

import pytest

from webinar_tray.core.text import clean_line, clean_lines, cut


@pytest.mark.parametrize("raw, clean", [
    ("plain title", "plain title"),
    ("Line one\nline two\r\n\tend", "Line one line two end"),
    ("  lots   of    space ", "lots of space"),
    # OSC 52: a clipboard write; what is left is harmless text, not an escape sequence
    ("x\x1b]52;c;ZXZpbA==\x07y", "x]52;c;ZXZpbA==y"),
    ("\x1b[2K\rForged: all good", "[2K Forged: all good"),  # line erase + carriage return
    ("c1\x9b31m csi \x9d osc \x85next", "c131m csi osc next"),
    ("del\x7f nul\x00", "del nul"),
    ("evil \u202eexe.txt", "evil exe.txt"),
    ("\u2066iso\u2069 \u202aemb\u202c \u200fmark\u200e", "iso emb mark"),
    ("zero\u200bwidth\ufeff", "zerowidth"),
    ("para\u2028sep\u2029end", "para sep end"),
    ("lone \ud800surrogate", "lone surrogate"),
    ("Café — Überblick 日本語 🎥", "Café — Überblick 日本語 🎥"),
    ("nbsp\xa0and\u3000ideographic", "nbsp and ideographic"),
    ("", ""),
    (None, ""),
    (42, "42"),
])
def test_clean_line(raw, clean):
    assert clean_line(raw) == clean


def test_clean_line_cuts_after_cleaning():
    assert clean_line("\x1b[31m" + "A" * 100, 10) == "[31mAAAAA…"
    assert clean_line("ab😀cd", 4, utf16=True) == "ab…"


@pytest.mark.parametrize("raw, clean", [
    ("Traceback:\n  File \"x\", line 1\n    boom\x1b[2K\n", "Traceback:\n  File \"x\", line 1\n    boom[2K"),
    ("a\r\nb\u2028c\x85d", "a\nb\nc\nd"),
    ("tab\there  \n\u202eevil", "tab here\nevil"),
    (None, ""),
])
def test_clean_lines_keeps_lines_and_indentation(raw, clean):
    assert clean_lines(raw) == clean


@pytest.mark.parametrize("text, limit, utf16, expected", [
    ("short", 10, False, "short"),
    ("eleven char", 10, False, "eleven ch…"),
    ("word ending ", 6, False, "word…"),
    ("ab😀cd", 4, True, "ab…"),
    ("ab😀cd", 4, False, "ab😀…"),
    ("x" * 8 + "e\u0301tail", 10, False, "x" * 8 + "…"),  # the accent stays with its letter
])
def test_cut(text, limit, utf16, expected):
    assert cut(text, limit, utf16=utf16) == expected
