"""The yardstick: a first-match keyword alert, as a Google Alerts user would set one up.

Every accuracy figure is printed beside it, so a classifier that does no better than keywords
shows it at once. One ordered list of (type, keywords); the first type with a keyword anywhere in
the headline or text wins, else 'none'. Keywords in English, Japanese and Korean, as a
subscriber watching those sources would write them.
"""

from __future__ import annotations

import re

from pipeline.intel.vocabulary import NONE, EventType

KEYWORD_ALERTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        EventType.DPC_MEETING,
        (
            "digital partnership council",
            "trade and technology council",
            "デジタルパートナーシップ",
            "디지털 파트너십",
        ),
    ),
    (EventType.SUMMIT, ("summit", "サミット", "정상회의")),
    (EventType.MOU, ("memorandum of understanding", "memorandum of cooperation", "mou", "覚書", "양해각서")),
    (EventType.LEGISLATION, ("ai act", "executive order", "ai law", "ai bill", "法案", "법안", "행정명령")),
    (EventType.DECLARATION, ("declaration", "joint statement", "resolution", "宣言", "선언")),
)

_COMPILED = [
    (t, re.compile("|".join(r"(?<![a-z])" + re.escape(k) + r"(?![a-z])" for k in kws), re.IGNORECASE))
    for t, kws in KEYWORD_ALERTS
]


def keyword_alert(title: str, text: str) -> str:
    blob = f"{title}\n{text}"
    for event_type, rx in _COMPILED:
        if rx.search(blob):
            return event_type
    return NONE
