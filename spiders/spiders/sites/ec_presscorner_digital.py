"""ec-presscorner-digital: the European Commission press corner's digital-policy releases, in full.

Why code: the press corner's RSS (the feed ``ec-presscorner``) carries a few lines of each
release, and the release's page (``/presscorner/detail/en/ip_26_1121``) is a script-rendered
shell with no text in its HTML, so neither the feed kind nor a listing that fetches the page
gets the release. Its text is in the press corner's documents API, by reference
(``api/documents?language=en&reference=IP/26/1121``: one JSON document, ``htmlContent``). Going
there takes two steps no declarative kind has: follow each feed entry to a second URL, and build
that URL from a reference the link spells in lower case with underscores (``ip_26_1121`` is
``IP/26/1121``; json_api's url_template only pastes a field in, and would quote the slashes).

Only entries whose ``POLICY_AREA`` includes DG CONNECT or digital (``POLICY_AREAS``) are
followed, and the feed ``ec-presscorner`` excludes the same, so each release is stored once,
here with its text. A release whose document cannot be read is still stored, from the feed's
title, date and summary. Checked on the real press corner RSS and documents API responses of
../shared/corpus/real (tests/integration/test_real_captures.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict
from urllib.parse import quote

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.items import ArticleItem, item_from_dict
from spiders.parsing import clean_text, fragment_text, to_iso
from spiders.sources import source_by_id
from spiders.spiders.base import SiteSpider

POLICY_AREAS = frozenset({"CNECT", "DIGITAL"})
DETAIL = "https://ec.europa.eu/commission/presscorner/detail/en/"
DOCUMENTS_API = "https://ec.europa.eu/commission/presscorner/api/documents?language=en&reference="
_DETAIL_LINK = re.compile(r"/presscorner/detail/[a-z]{2}/([a-z]+)_(\d+)_(\d+)/?$", re.IGNORECASE)


def reference_of(link: str) -> str | None:
    """``…/detail/en/ip_26_1121`` → ``IP/26/1121``; None for a link of another shape."""
    found = _DETAIL_LINK.search(link.strip())
    return "/".join((found.group(1).upper(), found.group(2), found.group(3))) if found else None


def detail_url(reference: str) -> str:
    """``IP/26/1121`` → the release's public page, ``…/detail/en/ip_26_1121``."""
    return DETAIL + quote(reference.strip().lower().replace("/", "_"), safe="")


def policy_areas(categories: Iterable[str]) -> set[str]:
    """``POLICY_AREA=CNECT,DIGITAL`` → {CNECT, DIGITAL}."""
    areas: set[str] = set()
    for category in categories:
        key, _, codes = category.partition("=")
        if key.strip().upper() == "POLICY_AREA":
            areas |= {c.strip().upper() for c in codes.split(",") if c.strip()}
    return areas


class ReleaseHint(TypedDict):
    """What the feed entry says of a release, carried to its document's callback (which reads
    any mapping: a contract's ``@cb_kwargs`` gives only ``url``)."""

    url: str
    title: str
    published: str | None
    summary: str
    guid: str
    categories: list[str]
    language: str


def document_item(doc: object, hint: Mapping[str, object]) -> dict[str, object]:
    """One documents-API response → an item dict; what the document lacks comes from the hint."""
    doc = doc if isinstance(doc, Mapping) else {}
    text = doc.get("docuLanguageResource")
    text = text if isinstance(text, Mapping) else {}
    reference = doc.get("refCd")
    doc_type = doc.get("docutypeResource")
    policies = doc.get("policiesResource")
    hinted = hint.get("categories") or []
    categories: list[object] = list(hinted) if isinstance(hinted, list | tuple) else []
    if isinstance(doc_type, Mapping) and doc_type.get("description"):
        categories.append(clean_text(str(doc_type["description"])))
    for policy in policies if isinstance(policies, list) else []:
        if isinstance(policy, Mapping) and policy.get("description"):
            categories.append(clean_text(str(policy["description"])))
    return {
        **hint,
        "url": detail_url(reference) if isinstance(reference, str) and reference.strip() else hint["url"],
        "title": clean_text(str(text.get("title") or "")) or hint.get("title", ""),
        "published": to_iso(str(doc.get("publishDate") or "")) or hint.get("published"),
        "body": fragment_text(str(text.get("htmlContent") or "")),
        "guid": reference if isinstance(reference, str) and reference.strip() else hint.get("guid"),
        "categories": list(dict.fromkeys(categories)),
    }


class EcPresscornerDigitalSpider(SiteSpider):
    name = "ec-presscorner-digital"
    source = source_by_id(name)
    start_url = "https://ec.europa.eu/commission/presscorner/api/rss?language=en"

    def parse(self, response: Response, **kwargs: Any) -> Iterable[scrapy.Request]:
        """The feed: one documents-API request per digital-policy release, the entry as its hint.

        @url https://ec.europa.eu/commission/presscorner/api/rss?language=en
        @fixture
        @returns requests 3 3
        @returns items 0 0
        """
        for entry in response.xpath("//channel/item"):
            link = (entry.xpath("string(link)").get() or "").strip()
            categories = [clean_text(c) for c in entry.xpath("category/text()").getall()]
            if not POLICY_AREAS & policy_areas(categories):
                continue
            reference = reference_of(link)
            self.count("candidates")
            if reference is None:
                self.count("skipped_shape")
                continue
            url, title = detail_url(reference), clean_text(entry.xpath("string(title)").get())
            hint: ReleaseHint = {
                "url": url,
                "title": title,
                "published": to_iso(entry.xpath("string(pubDate)").get() or ""),
                "summary": clean_text(entry.xpath("string(description)").get()),
                "guid": reference,
                "categories": categories,
                "language": self.language or "en",
            }
            if self.is_known(url):
                self.count("skipped_known")
                continue
            if self.excluded(title, url):
                continue
            yield scrapy.Request(
                DOCUMENTS_API + reference,
                callback=self.parse_document,
                errback=self.document_failed,
                cb_kwargs={"hint": hint},
                headers={"Accept": "application/json"},
            )

    def parse_document(self, response: Response, hint: Mapping[str, object]) -> Iterable[ArticleItem]:
        """The release's document: its full text, type and policy areas.

        @url https://ec.europa.eu/commission/presscorner/api/documents?language=en&reference=IP/26/1121
        @fixture tests/fixtures/spiders/ec-presscorner-document.json
        @cb_kwargs {"hint": {"url": "https://ec.europa.eu/commission/presscorner/detail/en/ip_26_1121"}}
        @returns items 1 1
        @returns requests 0 0
        @scrapes title url published body categories guid
        """
        try:
            doc = json.loads(response.body)
        except ValueError:
            self.count("document_not_json")
            doc = {}
        item = document_item(doc, hint)
        if not item["body"]:
            self.count("document_without_text")
        yield item_from_dict({**item, "source_id": self.source_id})

    def document_failed(self, failure: Failure) -> Iterable[ArticleItem]:
        """The documents API failed for this release: store it from the feed entry all the same."""
        self.count("document_failed")
        request = getattr(failure, "request", None)
        hint = request.cb_kwargs.get("hint") if request is not None else None
        if isinstance(hint, dict):
            yield item_from_dict({**hint, "source_id": self.source_id})
