"""Table tests for the event's place: a venue the text names, a law's capital, and no guesses.

Sentences written for these tests (not corpus text)."""

from __future__ import annotations

import pytest

from pipeline.intel.places import curated_places, event_place, outside_host
from pipeline.intel.rules_loading import load_rules


@pytest.mark.parametrize(
    ("event_type", "title", "lead", "parties", "expected"),
    [
        # Portuguese and Italian contractions before the city ("no Porto", "a Roma")
        (
            "summit",
            "Ministros reúnem-se",
            ["A cimeira sobre inteligência artificial decorreu no Porto."],
            ["PT"],
            "Porto",
        ),
        (
            "summit",
            "Ministri riuniti",
            ["Il vertice sull'intelligenza artificiale si è tenuto a Milano."],
            ["IT"],
            "Milan",
        ),
        (
            "dpc_meeting",
            "Ministers meet",
            ["The council met in Brussels on Tuesday."],
            ["EU", "JP"],
            "Brussels",
        ),
        ("summit", "Leaders gather for the Seoul summit", ["Leaders met to talk about AI."], [], "Seoul"),
        ("summit", "Summit opens", ["Leaders met at Bletchley Park for two days."], ["UK"], "Bletchley Park"),
        # a city no rule lists, in other scripts and languages
        (
            "summit",
            "Ministers meet",
            ["Ministers gathered in Cernobbio for the G7 meeting."],
            [],
            "Cernobbio",
        ),
        ("dpc_meeting", "협의회 개최", ["양측은 서울 중구에서 협의회를 열었다."], ["KR", "EU"], "Seoul"),
        ("summit", "サミット", ["首脳らはパリで会合を開いた。"], [], "Paris"),
        ("summit", "峰会", ["人工智能行动峰会在巴黎举行。"], [], "Paris"),
        ("declaration", "Adoptée", ["La déclaration de Paris a été signée par 60 pays."], [], "Paris"),
        ("summit", "New Delhi to host AI summit", ["The summit is set for February."], ["IN"], "New Delhi"),
        # a law is voted in its country's capital; entry into force has no place
        (
            "legislation",
            "Korea passes AI Basic Act",
            ["The National Assembly passed the bill."],
            ["KR"],
            "Seoul",
        ),
        ("legislation", "AI Basic Act takes effect", ["The law applies from today."], ["KR"], None),
        ("legislation", "California governor signs AI bill", ["The bill was signed."], ["US"], "Sacramento"),
        ("legislation", "Utah legislature passes AI bill", ["Lawmakers voted."], ["US"], "Salt Lake City"),
        (
            "legislation",
            "President signs executive order on AI",
            ["The order was signed."],
            ["US"],
            "Washington",
        ),
        ("legislation", "Texas and Ohio pass AI bills", ["Both states voted."], ["US"], None),
        (
            "legislation",
            "Council of Europe treaty signed",
            ["Canada and Japan signed it."],
            ["CA", "JP"],
            None,
        ),
        # no venue said: no guess
        ("summit", "India to host next AI summit", ["India will host the next summit."], ["IN"], None),
        ("mou", "Japan and the EU sign a memorandum", ["Japan and the EU signed it."], ["JP", "EU"], None),
        # the seat of the body that acted, when no venue is named
        (
            "declaration",
            "UN adopts AI resolution",
            ["The UN General Assembly adopted the text by consensus."],
            ["UN"],
            "New York",
        ),
        ("declaration", "国連総会、AI決議を採択", ["決議は無投票で採択された。"], [], "New York"),
        ("legislation", "AI 기본법 법안소위 통과", ["법안이 국회 소위원회를 통과했다."], [], "Seoul"),
        ("summit", "UN General Assembly opens", ["Leaders gathered for the summit."], ["UN"], None),
        # a correspondent's dateline is at the event; a home desk's is not, nor a bare city
        (
            "summit",
            "APEC 장관회의 개최",
            ["(인천=뉴스1) 기자 = 회원국이 모여 논의한다."],
            ["APEC"],
            "Incheon",
        ),
        (
            "dpc_meeting",
            "한-EU 협의회 개최",
            ["[서울=뉴시스] 기자 = 양측이 협의회를 열었다."],
            ["KR", "EU"],
            None,
        ),
        ("summit", "Summit opens", ["MOSCOW (Wire) The UK will host a summit on AI safety."], ["UK"], None),
        # a city's name inside another word is no city
        ("summit", "G7 장관회의", ["G7 디지털 장관회의가 다카사키시청에서 열렸다."], ["G7"], None),
        # a national measure finalised or promulgated is placed in its capital
        (
            "legislation",
            "China finalizes generative AI measures",
            ["The rules apply from August."],
            ["CN"],
            "Beijing",
        ),
        ("legislation", "中国、生成AIの規則を公布", ["8月15日に施行する。"], ["CN"], "Beijing"),
        # a building in the city where it was held ("...のEU本部で開き", "...에 위치한 ... 본부에서")
        (
            "dpc_meeting",
            "韓国とEU、AI研究で協力へ",
            ["第3回協議会をブリュッセルの欧州委員会庁舎で開き、研究協力について議論した。"],
            ["KR", "EU"],
            "Brussels",
        ),
        (
            "dpc_meeting",
            "한-EU 디지털 협의회 개최",
            ["양측은 12일 벨기에 브뤼셀에 위치한 유럽의회 건물에서 회의를 열었다."],
            ["KR"],
            "Brussels",
        ),
        (
            "dpc_meeting",
            "韓・EU、量子研究で協力",
            ["長官は14日、ソウル市鍾路区の政府庁舎の大会議室で協議会を開いた。"],
            ["KR", "EU"],
            "Seoul",
        ),
        (
            "dpc_meeting",
            "Korea and the EU hold third digital council",
            ["The council met on Monday at the Rose Hall of the Seoul Plaza Hotel."],
            ["KR", "EU"],
            "Seoul",
        ),
        # signed at a ministry in Tokyo, whichever partner the headline names
        (
            "mou",
            "カナダとAI分野の協力覚書に署名しました",
            ["大臣は、総務省において、カナダの大臣と覚書に署名しました。"],
            ["CA"],
            "Tokyo",
        ),
        # a city named as the home of someone or something, not where the event was
        ("dpc_meeting", "協議会を開催", ["東京大学の研究者が協議会で発表した。"], ["JP"], None),
        # another country's assembly named the same way is not Korea's
        (
            "legislation",
            "베트남 국회, 인공지능법 통과",
            ["베트남 국회는 19일 본회의에서 법을 통과시켰다."],
            ["VN"],
            "Hanoi",
        ),
    ],
)
def test_event_place(
    event_type: str, title: str, lead: list[str], parties: list[str], expected: str | None
) -> None:
    rules = load_rules()
    assert event_place(event_type, title, lead, parties, curated_places(rules), rules.seats) == expected


@pytest.mark.parametrize(
    ("title", "lead", "day", "expected"),
    [
        # the Council of the EU sits in Luxembourg in April, June and October, in Brussels otherwise
        (
            "EU gives final approval to AI Act",
            ["The Council of the EU adopted the act."],
            "2024-05-21",
            "Brussels",
        ),
        (
            "EU ministers approve AI law",
            ["The Council of the European Union approved it."],
            "2024-06",
            "Luxembourg",
        ),
        ("EU ministers approve AI law", ["The Council of the European Union approved it."], None, None),
        # the European Parliament votes laws in plenary in Strasbourg
        (
            "EU Parliament passes AI Act",
            ["The European Parliament approved the act on Wednesday."],
            "2024-03-13",
            "Strasbourg",
        ),
        (
            "EU, AI 규제법 승인",
            ["이날 EU의회는 찬성 523표로 해당 법안을 승인했다."],
            "2024-03-13",
            "Strasbourg",
        ),
        # an entry into force happens nowhere
        ("AI Act enters into force", ["The European Parliament adopted it in March."], "2024-08-01", None),
    ],
)
def test_a_seat_may_depend_on_the_month(
    title: str, lead: list[str], day: str | None, expected: str | None
) -> None:
    rules = load_rules()
    assert (
        event_place("legislation", title, lead, ["EU"], curated_places(rules), rules.seats, day) == expected
    )


@pytest.mark.parametrize(
    ("place", "title", "parties", "expected"),
    [
        # the next summit, announced at this one in Paris, is not held in Paris
        ("Paris", "India will host the following AI summit", ["IN"], True),
        ("New Delhi", "India will host the following AI summit", ["IN"], False),
        # no host named: the venue stands
        ("Seoul", "EU and Japan meet at AI Seoul Summit", ["EU", "JP"], False),
        ("Geneva", "Switzerland offers to host an AI summit in 2027", ["CH"], False),
    ],
)
def test_a_place_outside_the_named_host_is_not_the_event_s(
    place: str, title: str, parties: list[str], expected: bool
) -> None:
    assert outside_host(place, title, parties, load_rules()) is expected
