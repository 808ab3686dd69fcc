"""us-congress-bills: bills of the US Congress, from the Congress.gov API v3 (``/v3/bill``).

Why code: the API names a bill by congress, type and number (``119``, ``HR``, ``5005``) and links
only to itself (``api.congress.gov/v3/bill/119/hr/5005``); the page a reader wants is
``https://www.congress.gov/bill/119th-congress/house-bill/5005``, which takes an English ordinal
(119th, 101st, 112th) and the type spelled out (``SJRES`` is ``senate-joint-resolution``).
json_api's url_template can only paste a record's fields in, so no declarative kind can build it.

The list is every bill by latest update; the source's ``include`` keeps those whose title speaks
of AI. The date is the latest action's (when the bill last moved), its text the summary. The API
wants a key (``params_env``), so the source is disabled until one is set. Checked on a real
``/v3/bill`` response in ../shared/corpus/real (tests/integration/test_real_captures.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from scrapy.http import Response

from spiders.items import ArticleItem
from spiders.parsing import clean_text, json_date
from spiders.sources import source_by_id
from spiders.spiders.base import SiteSpider

BILL_PAGE = "https://www.congress.gov/bill/{congress}-congress/{kind}/{number}"
BILL_TYPES = {
    "HR": "house-bill",
    "S": "senate-bill",
    "HRES": "house-resolution",
    "SRES": "senate-resolution",
    "HJRES": "house-joint-resolution",
    "SJRES": "senate-joint-resolution",
    "HCONRES": "house-concurrent-resolution",
    "SCONRES": "senate-concurrent-resolution",
}


def ordinal(n: int) -> str:
    """119 → ``119th``, 101 → ``101st``, 112 → ``112th``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def bill_page(record: Mapping[str, object]) -> str | None:
    """The bill's congress.gov page, or None when the record lacks a part or has an unknown type."""
    congress, kind, number = record.get("congress"), record.get("type"), record.get("number")
    slug = BILL_TYPES.get(str(kind or "").strip().upper())
    if slug is None or not str(congress or "").strip().isdigit() or not str(number or "").strip().isdigit():
        return None
    return BILL_PAGE.format(congress=ordinal(int(str(congress).strip())), kind=slug, number=int(str(number)))


def bill_rows(data: object, language: str | None = None) -> Iterator[dict[str, object]]:
    """The ``bills`` of a ``/v3/bill`` response as item dicts, in the response's order."""
    bills = data.get("bills") if isinstance(data, Mapping) else None
    for record in bills if isinstance(bills, list) else []:
        if not isinstance(record, Mapping) or (url := bill_page(record)) is None:
            continue
        action = record.get("latestAction")
        action = action if isinstance(action, Mapping) else {}
        yield {
            "url": url,
            "title": clean_text(str(record.get("title") or "")),
            "published": json_date(action.get("actionDate"), "%Y-%m-%d")
            or json_date(record.get("updateDateIncludingText"), "iso"),
            "summary": clean_text(str(action.get("text") or "")),
            "guid": f"{record['congress']}/{str(record['type']).lower()}/{record['number']}",
            "categories": [c for c in (str(record.get("originChamber") or ""),) if c],
            "language": language,
        }


class UsCongressBillsSpider(SiteSpider):
    name = "us-congress-bills"
    source = source_by_id(name)
    start_url = "https://api.congress.gov/v3/bill?format=json&sort=updateDate+desc&limit=250"

    def parse(self, response: Response, **kwargs: Any) -> Iterable[ArticleItem]:
        """One item per bill with a page on congress.gov (the include filter runs afterwards).

        @url https://api.congress.gov/v3/bill?format=json&sort=updateDate+desc&limit=250
        @fixture
        @returns items 5 5
        @returns requests 0 0
        @scrapes title url published summary guid source_id
        """
        try:
            data = json.loads(response.body)
        except ValueError:
            self.count("not_json")
            return
        yield from self.emit(bill_rows(data, self.language or "en"))
