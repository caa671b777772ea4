from masthead.moderation.guidelines.normalise import match_phrases, normalise


def test_zero_width_and_bidi_removed_with_offsets():
    text = "you b\u200ba\u202ed\u2066word here"
    n = normalise(text)
    assert "badword" in n.folded
    spans = match_phrases(n, ("badword",))
    assert len(spans) == 1
    assert text[spans[0].start : spans[0].end] == spans[0].text
    assert spans[0].text.startswith("b") and spans[0].text.endswith("word")


def test_accents_case_fullwidth_folded():
    n = normalise("ＢÁDWÖRD")
    assert n.folded == "badword"


def test_control_chars_reported():
    n = normalise("a\x00b\x1bc\n")
    assert n.control_chars == (1, 3)
    assert n.text == "abc\n"


def test_word_boundaries_scunthorpe():
    n = normalise("Scunthorpe assess cockpit")
    assert match_phrases(n, ("cunt", "ass", "cock")) == []
