"""Table tests for the event date: absolute, relative, Japanese and Korean forms, no published date.

The sentences are written for these tests (not corpus text); each row says what a reader of the
headline and lead would take as the event's date, and None where a careful reader could not tell."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.intel.dates import event_date, find_dates

PUB = date(2024, 5, 22)  # a Wednesday


@pytest.mark.parametrize(
    ("title", "lead", "published", "expected"),
    [
        # absolute dates, in several languages
        (
            "Ministers meet",
            ["The council met in Brussels on 16 May 2023 to review progress."],
            None,
            "2023-05-16",
        ),
        ("Ministers meet", ["The council met on March 13, 2024, in Strasbourg."], None, "2024-03-13"),
        ("Rat tagt", ["Der Rat hat am 14. März 2024 das Gesetz verabschiedet."], None, "2024-03-14"),
        ("Conseil", ["Le texte a été adopté le 21 mai 2024 à Bruxelles."], None, "2024-05-21"),
        ("Senado", ["O Senado aprovou em 10 de dezembro de 2024 o projeto."], None, "2024-12-10"),
        ("会合", ["2024年4月30日、ブリュッセルで第2回会合を開催した。"], None, "2024-04-30"),
        ("覚書", ["令和6年9月4日、総務省は協力覚書に署名しました。"], None, "2024-09-04"),
        ("협의회", ["양측은 2024년 3월 26일 브뤼셀에서 협의회를 열었다."], None, "2024-03-26"),
        ("Summit set", ["The summit will be held in May 2024 in Seoul."], None, "2024-05"),
        # relative to the published date
        ("Leaders meet", ["Leaders met today in Seoul to adopt a declaration."], PUB, "2024-05-22"),
        ("Leaders meet", ["Leaders met yesterday in Seoul."], PUB, "2024-05-21"),
        ("Leaders met", ["The ministers met on Tuesday in Seoul."], PUB, "2024-05-21"),
        ("정상회의 개막", ["정상회의가 21일 서울에서 개막했다."], PUB, "2024-05-21"),
        ("会合開催", ["閣僚は21日、東京で会合を開いた。"], PUB, "2024-05-21"),
        # a held event's day more than a week after the report's day is last month's
        ("協議会新設", ["両者は30日、ソウルで第1回協議会を開いた。"], date(2023, 7, 2), "2023-06-30"),
        ("회의 개최", ["양측은 29일 회의를 열었다."], date(2024, 5, 3), "2024-04-29"),
        (
            "정상회의 공동 개최",
            ["양국은 내달 21∼22일 정상회의를 공동 개최한다."],
            date(2024, 4, 12),
            "2024-05-21",
        ),
        ("サミット開催へ", ["政府は11月1、2日、サミットを開く。"], date(2023, 10, 30), "2023-11-01"),
        (
            "UK to host summit in November",
            ["The UK will host a summit in November."],
            date(2023, 8, 24),
            "2023-11",
        ),
        # a year word before a Korean or Japanese month and day
        ("AI 기본법 통과", ["내년 1월 22일 시행을 앞두고 통과됐다."], date(2025, 12, 30), "2026-01-22"),
        ("法施行へ", ["来年4月1日に施行される。"], date(2025, 11, 20), "2026-04-01"),
        ("법 시행", ["지난해 12월 26일 본회의를 통과한 법이다."], date(2025, 3, 20), "2024-12-26"),
        # a past-tense verb beside a weekday: the past one, though the report also looks ahead
        ("In effect", ["It took effect on Thursday and will protect us."], date(2024, 8, 5), "2024-08-01"),
        ("Rules take effect", ["The law will take effect on Thursday."], date(2024, 8, 5), "2024-08-08"),
        # "said ... on Monday" dates the saying (past), and a report looking ahead is not dated by it
        (
            "Pact",
            ["Both said in a joint statement on Monday that they will cooperate."],
            date(2023, 7, 4),
            None,
        ),
        # no published date: a day or a month without a year stays unknown, even beside a year
        ("협의회", ["양측은 26일 협의회를 열었다."], None, None),
        ("Council meets", ["The council met on March 13 in Brussels."], None, None),
        (
            "Summit in Paris",
            ["After Bletchley Park (November 2023) and Seoul (May 2024), Paris hosts on February 10-11."],
            None,
            None,
        ),
        # not the event's date: a byline, an origin, a deadline, the day it was announced
        ("Summit", ["By A Reporter Published: May 22, 2024 - 15:41", "Leaders met in Seoul."], PUB, None),
        # a stamp with a bar, or glued to the next word, then the event's own date
        ("Summit", ["Jun 2, 2024 | News The summit was held on 30 May 2024 in Geneva."], PUB, "2024-05-30"),
        ("Vote", ["Mar 25, 2024Policy News On March 21, 2024, the Assembly adopted it."], PUB, "2024-03-21"),
        ("Summit", ["By A Reporter | 22 May 2024", "Leaders met in Seoul."], PUB, None),
        # a bare month in the lead is another date's, unless the event is said to be held in it
        ("Partnership council meets", ["The partnership was signed in November 2022."], PUB, None),
        ("Summit set", ["The summit will be held in May 2024 in Seoul."], None, "2024-05"),
        ("サミット開催へ", ["政府は2024年11月に開催すると発表した。"], None, "2024-11"),
        ("Summit", ["The framework launched in 2022 was reviewed at the meeting."], PUB, None),
        (
            "Switzerland to host next AI summit",
            ["Switzerland on Wednesday said it will host the summit."],
            PUB,
            None,
        ),
        (
            "Council met",
            ["The council, which met on Monday, agreed new deliverables.", "Signed 2 May 2024."],
            PUB,
            "2024-05-20",
        ),
        # publication stamps with a glued or Japanese time, and a dashed dateline, are not the event
        (
            "サミット閉幕",
            ["人民網日本語版 2025年02月13日14:51", "サミットが現地時間11日に閉幕した。"],
            date(2025, 2, 13),
            "2025-02-11",
        ),
        (
            "サミット声明",
            ["AFPBB News / 2025年2月12日 17時40分", "サミットは11日、閉幕した。"],
            date(2025, 2, 12),
            "2025-02-11",
        ),
        (
            "AI Act in force",
            ["February 12, 2025 – The AI Act's bans apply as of February 2, 2025."],
            None,
            "2025-02-02",
        ),
        # "since" after a date (以降, 이후): an earlier event's day
        (
            "閣僚級会合(第3回)の概要",
            ["第2回会合(2025年5月12日、ソウル)以降の取組を確認しました。"],
            None,
            None,
        ),
        # a page that repeats its headline twice: the lead is what follows (our own sentences)
        (
            "Lisbon AI summit: what to expect",
            [
                "Lisbon AI summit: what to expect",
                "Lisbon AI summit: what to expect",
                "On June 3-4, Portugal will host the summit.",
            ],
            date(2026, 6, 3),
            "2026-06-03",
        ),
        # a dateline is when the report was filed, not the day of an event it says is ahead
        (
            "Minister to attend digital council",
            ["Lisbon [Portugal], June 3 : The council will take place next week in Brussels."],
            date(2026, 6, 3),
            None,
        ),
        # a span's first day is the event's start, not a "from" said of something else (our own)
        (
            "サミット参加記",
            ["リスボンで16日から20日まで開催されたサミットに参加した。"],
            date(2026, 6, 21),
            "2026-06-16",
        ),
        (
            "정상회의 참관기",
            ["리스본에서 16일부터 20일까지 열린 정상회의에 참석했다."],
            date(2026, 6, 21),
            "2026-06-16",
        ),
        # "2日間" is two days long, not the 2nd
        (
            "サミット閉幕",
            ["2日間にわたり開かれていたサミットが11日に閉幕した。"],
            date(2025, 2, 13),
            "2025-02-11",
        ),
    ],
)
def test_event_date(title: str, lead: list[str], published: date | None, expected: str | None) -> None:
    upcoming = "will" in " ".join(lead)
    assert event_date(title, lead, published, upcoming=upcoming) == expected


@pytest.mark.parametrize(
    ("status", "published", "expected"),
    [
        # news of an event with no date stated: the report's month, never a day
        ("held", date(2021, 11, 24), "2021-11"),
        (None, date(2024, 7, 15), "2024-07"),
        # the first week of a month may report last month's event; an upcoming one is ahead
        ("held", date(2025, 3, 1), None),
        ("held", date(2024, 5, 7), None),
        ("upcoming", date(2024, 5, 22), None),
        ("postponed", date(2024, 5, 22), None),
        ("held", None, None),
    ],
)
def test_report_month(status: str | None, published: date | None, expected: str | None) -> None:
    from pipeline.intel.dates import report_month

    assert report_month(status, published) == expected


def test_an_impossible_day_is_never_given() -> None:
    assert [f.iso for f in find_dates("on 31 February 2024")] == ["2024-02"]


def test_dates_are_found_left_to_right_with_their_spans() -> None:
    text = "Signed on 2 May 2024 and in force from 1 August 2024."
    found = find_dates(text)
    assert [f.iso for f in found] == ["2024-05-02", "2024-08-01"]
    assert text[found[0].start : found[0].end] == "2 May 2024"


@pytest.mark.parametrize(
    ("status", "day", "published", "expected"),
    [
        ("upcoming", "2023-11-01", date(2023, 11, 3), "held"),
        (None, "2024-05-21", date(2024, 5, 12), "upcoming"),
        (None, "2024-05-21", date(2024, 5, 21), "held"),
        ("postponed", "2024-05-01", date(2024, 5, 12), "postponed"),
        ("upcoming", "2024-05", date(2024, 5, 12), "upcoming"),
        ("upcoming", "2024-05-21", None, "upcoming"),
    ],
)
def test_status_as_of_publication(
    status: str | None, day: str, published: date | None, expected: str
) -> None:
    from pipeline.classify import status_at

    assert status_at(status, day, published) == expected


@pytest.mark.parametrize(
    ("day", "published", "expected"),
    [
        # beside a series' name: the reported event's date, or its history?
        ("2024-04-30", date(2024, 5, 1), True),
        ("2025-02", date(2025, 2, 12), True),
        ("2026-06", date(2025, 12, 1), True),  # ahead: an upcoming meeting
        ("2022-11", date(2025, 11, 28), False),  # when the partnership was signed
        ("2023", date(2024, 5, 21), False),  # last year's summit
        ("2024-04-30", None, True),
        ("2022-11", None, False),  # no published date: a bare month is mostly history ...
        ("--06-30", date(2024, 6, 1), False),
    ],
)
def test_news_date(day: str, published: date | None, expected: bool) -> None:
    from pipeline.intel.dates import news_date

    assert news_date(day, published) is expected


def test_a_bare_year_said_to_be_ahead_is_the_event_s() -> None:
    from pipeline.intel.dates import news_date

    assert news_date("2025", None, upcoming=True)  # "the third meeting is scheduled for 2025"


@pytest.mark.parametrize(
    ("title", "lead", "published", "expected"),
    [
        # the law was passed; the day it takes effect is another milestone, not the event's date
        (
            "데이터법 국회 통과…다음 달 15일부터 시행",
            ["개정법은 다음 달 15일부터 시행된다."],
            date(2026, 3, 30),
            None,
        ),
        (
            "ベトナム、AI規則を最終決定 9月1日から適用",
            ["新しい規則は9月1日から適用される。"],
            date(2026, 6, 20),
            None,
        ),
        (
            "Senate passes AI bill",
            ["The Senate passed the bill on Tuesday. It takes effect on January 1, 2027."],
            date(2026, 3, 12),
            "2026-03-10",
        ),
    ],
)
def test_a_passed_law_is_not_dated_by_its_entry_into_force(
    title: str, lead: list[str], published: date, expected: str | None
) -> None:
    assert event_date(title, lead, published, skip_in_force=True) == expected


def test_a_law_taking_effect_keeps_that_date() -> None:
    lead = ["The AI Act's bans apply as of February 2, 2025."]
    assert event_date("AI Act bans take effect", lead, None, skip_in_force=False) == "2025-02-02"


@pytest.mark.parametrize(
    ("lead", "published", "expected"),
    [
        # the dates a delay moves a law's milestone from and to are the law's, not the delay's
        (
            ["Lawmakers voted on Tuesday to move the start date from Feb. 1, 2026, to June 30, 2026."],
            None,
            None,
        ),
        (
            ["Lawmakers voted on Tuesday to move the start date from Feb. 1, 2026, to June 30, 2026."],
            PUB,
            "2024-05-21",
        ),
        (
            ["국회 본회의는 21일 오후 개정안을 통과시켰다.", "규제 조항은 2027년 1월 22일까지 미뤄진다."],
            PUB,
            "2024-05-21",
        ),
    ],
)
def test_a_delay_is_not_dated_by_the_dates_it_moves(
    lead: list[str], published: date | None, expected: str | None
) -> None:
    assert (
        event_date("Legislature delays AI law", lead, published, skip_in_force=True, delayed=True) == expected
    )


def test_a_photo_caption_dates_the_photo_not_the_news() -> None:
    from pipeline.classify import classify

    text = (
        "Governor vetoes AI safety bill\n"
        "FILE PHOTO: The governor speaks to the press in Atlanta, Georgia, U.S., June 27, 2024.\n"
        "REUTERS/Jane Doe/File Photo\n"
        "The governor on Sunday vetoed the AI safety bill passed by the legislature in August."
    )
    event = classify("Governor vetoes AI safety bill", text, None).events
    assert event and event[0].date is None  # "on Sunday" with no published date: no date at all


def test_a_day_written_as_an_ordinal_does_not_end_a_sentence() -> None:
    """German, Czech, Polish... write "10." for the tenth: "am 10. und 11. März" is one sentence,
    so a date, and the event beside it, stay together; "10." before a new sentence still ends one."""
    from pipeline.sentences import split_sentences

    assert split_sentences("Der Gipfel ist am 10. und 11. März in Wien. Das ist neu.") == [
        "Der Gipfel ist am 10. und 11. März in Wien.",
        "Das ist neu.",
    ]
    assert split_sentences("Es kamen 10. Dann gingen sie.") == ["Es kamen 10.", "Dann gingen sie."]


def test_a_wire_photo_credit_line_is_a_caption() -> None:
    from pipeline.intel.lead import without_captions

    assert without_captions(["2026.6.1/뉴스1 ⓒ News1 기자", "정부가 협력을 강화한다."]) == [
        "정부가 협력을 강화한다."
    ]
