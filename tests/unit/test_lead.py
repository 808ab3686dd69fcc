"""A page's lead is what follows its headline, not the boilerplate above it (our own texts)."""

from __future__ import annotations

from pipeline.intel.features import zones
from pipeline.intel.lead import body_after_headline, sentences_after_headline

HEADLINE = "Ministers adopt declaration on trustworthy AI in Lisbon"
PAGE = (
    "• English\n• Français\nHome > News > Summit 2024 agenda\n\n"
    f"{HEADLINE}\n\n"
    "Digital ministers of 20 countries adopted a declaration on trustworthy AI on Tuesday."
)


def test_the_lead_of_a_page_follows_its_headline() -> None:
    assert body_after_headline(HEADLINE, PAGE).startswith("Digital ministers of 20 countries")
    lead = zones(HEADLINE, PAGE).lead
    assert lead.startswith("Digital ministers") and "Summit 2024 agenda" not in lead


def test_a_feed_item_or_a_page_without_its_headline_is_read_from_its_start() -> None:
    text = "Digital ministers met in Lisbon on Tuesday."
    assert body_after_headline(HEADLINE, text) == text
    # a headline too short to tell ("News") is not looked for
    assert body_after_headline("News", "Menu\nNews\nThe council met.") == "Menu\nNews\nThe council met."


def test_sentences_after_the_headline() -> None:
    sentences = ["• English", "Home > News > Summit 2024 agenda", HEADLINE, "Ministers adopted it.", "More."]
    assert sentences_after_headline(HEADLINE, sentences) == ["Ministers adopted it.", "More."]
    # a text that opens with its headline keeps it (the date and place readers skip it themselves)
    assert sentences_after_headline(HEADLINE, sentences[2:]) == sentences[2:]
    assert sentences_after_headline(HEADLINE, ["Ministers met.", "They agreed."]) == [
        "Ministers met.",
        "They agreed.",
    ]
