from __future__ import annotations

import pytest

from qa_core.text import clean, contains_any, fold, looks_like_question, similarity, terms


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  hello   world  ", "hello world"),
        ("zero\u200bwidth\u200c\u200d\u2060\ufeff", "zerowidth"),
        ("bidi \u202eevil\u202c \u2066x\u2069", "bidi evil x"),
        ("tags \U000e0041\U000e0042", "tags"),
        ("bell\x07 and\x00 nul", "bell and nul"),
        ("para one\n\n\n\npara two", "para one\n\npara two"),
        ("line\r\nbreaks", "line\nbreaks"),
        ("e\u0301", "\u00e9"),  # NFC: one character
    ],
)
def test_clean(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


def test_fold_makes_lookalikes_compare_equal() -> None:
    assert fold("ＦＵＬＬ width") == fold("full WIDTH")


def test_terms_drop_stopwords_and_stem_plurals() -> None:
    assert terms("What are the visas you needed?") == {"visa", "need"}


def test_similarity_ranks_rewordings_above_other_topics() -> None:
    base = "How long does a visa appeal take?"
    assert similarity(base, "How long do visa appeals take?") > 0.6
    assert similarity(base, "What is your favourite book?") < 0.1
    assert similarity(base, base) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("What is next?", True),
        ("how do embassies hire", True),
        ("Tell us about your first posting", True),
        ("Could you explain the Vienna convention", True),
        ("Great talk, thanks", False),
        ("first!!!", False),
    ],
)
def test_looks_like_question(text: str, question: bool) -> None:
    assert looks_like_question(text) is question


def test_contains_any_matches_whole_words_and_phrases_only() -> None:
    assert contains_any("You are an IDIOT.", ["idiot"]) == ["idiot"]
    assert contains_any("An idiomatic phrase", ["idiot"]) == []
    assert contains_any("please shut up now", ["shut up", "up now"]) == ["shut up", "up now"]


def test_flags_read_as_plain_english() -> None:
    from qa_core import Flag, describe_flag

    assert describe_flag(Flag("possible_duplicate", "#12")) == "possible duplicate of #12"
    assert describe_flag(Flag("word_filter", "idiot")) == "filtered words: idiot"
    assert describe_flag(Flag("contains_link", "spam.example")) == "contains link: spam.example"
    assert describe_flag(Flag("shouting")) == "shouting"
