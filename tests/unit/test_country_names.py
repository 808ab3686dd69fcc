"""Countries named in other languages count as parties (CLDR names through Babel).

Headlines written for these tests (not corpus text)."""

from __future__ import annotations

import pytest

from pipeline.classify import classify
from pipeline.intel.country_names import country_names
from pipeline.intel.rules_loading import load_rules


def test_names_come_in_the_corpus_languages() -> None:
    names = country_names("BR")
    assert {"Brasil", "Brésil", "Brasilien", "ブラジル", "브라질", "巴西"} <= set(names)
    assert "Reino Unido" in country_names("UK")  # our UK is ISO's GB
    assert country_names("US-CA") == ()  # a US state: not a country


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Brasil assina memorando de entendimento com a China", {"BR", "CN"}),
        ("EU und Singapur starten Digitalpartnerschaft", {"EU", "SG"}),
        ("La France et l'Allemagne signent un accord sur l'IA", {"FR", "DE"}),
        ("필리핀과 개인정보 분야 양해각서 교환", {"PH"}),
        # two parties by one syllable or character each, as Korean and Japanese headlines write them
        ("과기정통부, 한-미 기술협력 양해각서 체결", {"KR", "US"}),
        ("한일 디지털 정책포럼 개최", {"KR", "JP"}),
        ("韓-EU 디지털 파트너십 가속", {"KR", "EU"}),
        ("한중 MOU 체결", {"KR", "CN"}),
        ("日米首脳会談でAI協力", {"JP", "US"}),
    ],
)
def test_parties_named_in_other_languages(title: str, expected: set[str]) -> None:
    assert expected <= set(classify(title, "", None, load_rules()).jurisdictions)


def test_a_name_inside_a_word_is_no_country() -> None:
    # French "Chine" (China) inside "machine"
    assert "CN" not in classify("Machine learning rules", "", None, load_rules()).jurisdictions


@pytest.mark.parametrize(
    ("title", "absent", "present"),
    [
        # Chile (チリ) inside Bletchley (ブレッチリー): a katakana name is a whole katakana word
        ("ブレッチリーパークでAI安全サミット開催", "CL", None),
        ("チリとブラジル、AIで協力", None, "CL"),
        # Réunion's name in Portuguese, Spanish and Italian is the word for "meeting"
        ("Reunião do G20 sobre economia digital em Maceió", "RE", "G20"),
        ("Reunión ministerial digital del G20", "RE", "G20"),
        ("Riunione dei ministri del G7 a Como", "RE", "G7"),
    ],
)
def test_a_word_that_spells_a_country_is_no_party(
    title: str, absent: str | None, present: str | None
) -> None:
    found = classify(title, "", None, load_rules()).jurisdictions
    if absent:
        assert absent not in found
    if present:
        assert present in found


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # India's name inside Indonesia's, in Japanese and Korean: the longer name is the country
        ("日・インドネシア デジタル政策対話を開催", ["JP", "ID"]),
        ("인도네시아와 디지털 협력", ["ID"]),
        # a Latin name right after a CJK character is still a word of its own
        ("日EUデジタルパートナーシップ閣僚級会合", ["JP", "EU"]),
        ("韓EUが半導体で協力", ["KR", "EU"]),
    ],
)
def test_cjk_names_are_read_longest_first(title: str, expected: list[str]) -> None:
    from pipeline.intel.sentence_index import jurisdiction_spans

    assert [code for _s, _e, code in jurisdiction_spans(title, load_rules())] == expected


def test_the_event_s_parties_come_first() -> None:
    """A council's parties lead the item's jurisdictions (identity reads the first two), though the
    item names another country more often (the minister's trip through Belgium)."""
    from pipeline.classify import parties_first
    from pipeline.types import ExtractedEvent

    council = ExtractedEvent(type="dpc_meeting", name="x", key="k", evidence="", rule="dpc_eu_jp")
    assert parties_first(council, "Trip to Belgium", ["BE", "JP", "EU"], load_rules())[:2] == ["EU", "JP"]
    generic = ExtractedEvent(type="mou", name="x", key="k", evidence="", rule="mou_generic")
    assert parties_first(generic, "한-미 양해각서 체결", ["APEC", "KR", "US"], load_rules()) == [
        "KR",
        "US",
        "APEC",
    ]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # countries nobody wrote into the rules are parties by their CLDR names
        ("Brasil e Chile assinam memorando sobre IA", ["BR", "CL"]),
        ("Kenya and Nigeria sign MoU on artificial intelligence", ["KE", "NG"]),
        ("칠레와 페루, 디지털 협력 양해각서", ["CL", "PE"]),
        # a country named like a US state or a first name is found in other languages only
        ("Georgia passes AI bill", []),
        ("ジョージアとアルメニアが覚書", ["GE", "AM"]),
    ],
)
def test_every_country_is_a_party(title: str, expected: list[str]) -> None:
    from pipeline.intel.sentence_index import jurisdiction_spans

    assert [code for _s, _e, code in jurisdiction_spans(title, load_rules())] == expected


def test_every_country_has_a_readable_label() -> None:
    rules = load_rules()
    assert rules.jurisdiction("CL") is not None and rules.jurisdiction("CL").label == "Chile"  # type: ignore[union-attr]
    assert rules.jurisdiction("HK").label == "Hong Kong"  # type: ignore[union-attr]
    assert rules.jurisdiction("GB") is None  # the UK is ours as UK
