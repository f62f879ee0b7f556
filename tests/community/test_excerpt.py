"""Excerpts of user text end at a word, never inside one (`{{ text|excerpt:n }}`)."""

from __future__ import annotations

from community.templatetags.text import excerpt


def test_short_text_is_kept_whole_with_its_spacing_normalised() -> None:
    assert excerpt("Réseau  des\nmédecins", 140) == "Réseau des médecins"


def test_arabic_is_cut_at_the_last_word_that_fits() -> None:
    text = "شبكة الكفاءات المغربية في ألمانيا تجمع المهندسين والأطباء"
    cut = excerpt(text, 25)
    assert cut.endswith("…")
    kept = cut[:-1]
    assert text.startswith(kept) and len(kept) < 25
    assert text[len(kept)] == " "  # the next character was a space: no word was split


def test_trailing_punctuation_goes_before_the_ellipsis() -> None:
    assert excerpt("Bonjour, le monde entier est ici", 12) == "Bonjour…"


def test_one_long_word_is_cut_inside_it_only_when_it_must_be() -> None:
    assert excerpt("a" * 50, 10) == "a" * 9 + "…"
