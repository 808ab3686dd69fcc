"""Every source shipped in sources.yaml, parsed from its stored fixture (City Bureau style).

Each enabled source, and each site spider (``kind: spider``, enabled or not: its code ships), has
one fixture, ``tests/fixtures/sources/<source id>.<ext>``, in that source's wire format (RSS 2.0, RSS 1.0/RDF in Shift_JIS, GOV.UK Atom, WordPress REST JSON,
Federal Register JSON, listing HTML in EUC-KR…), and one row in ``EXPECTED`` with the exact
items the shipped parser extracts: count, titles, publication instants (UTC) and absolute
URLs. For ``kind: listing`` the items are the listing's links (title and date from the
listing page); article pages are fetched only by the spider. For ``kind: spider`` they are what
the spider's own ``parse`` yields on the fixture: its items, and the hint of each link it follows.

Adding a source: declare it in sources.yaml, save a response as its fixture, run
``.venv/bin/policywatch sources dry-run ID --fixture tests/fixtures/sources/ID.EXT --format expected``
and paste what it prints (after checking it) into ``EXPECTED``: the items are those the source's
``include``/``exclude`` filters keep, as stored. This file is exempt from the line-length rule.
``test_every_enabled_source_has_a_fixture_and_expected_items`` fails until both exist.

Fixtures are written by us in each site's format (the project never copies real captures into the
repo), so every shipped source says so in sources.yaml (``synthetic: true`` and a
``synthetic_reason``; ``policywatch sources list`` shows it). Where a real capture of the same
site or format exists in ../shared/corpus/real, tests/integration/test_real_captures.py runs the shipped
source's parser on it in place, as an extra case beside our fixture.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from core.sources_config import ListingSource
from pipeline.feeds import parse_feed
from services.dryrun import parse_stored_response
from spiders import parsing
from tests.support.paths import PW, ROOT
from tests.support.shipped import FIXTURES, SHIPPED, fixture_path, utc

FROZEN_NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
MAX_FIXTURE_BYTES = 20_000
EXTENSIONS = {
    "feed": {".xml", ".rdf", ".atom"},
    "wordpress": {".json"},
    "json_api": {".json"},
    "sitemap": {".xml", ".gz"},
    "listing": {".html"},
    "spider": {".html", ".json", ".xml"},
}

PLACEHOLDER = b"POLICYWATCH-PLACEHOLDER"


# (published in UTC, title, url), in document order.
EXPECTED: dict[str, list[tuple[datetime, str, str]]] = {
    "ec-presscorner": [
        # 3 item(s) dropped by exclude.category '^POLICY_AREA=.*\\b(CNECT|DIGITAL)\\b'
        (
            utc("2026-05-12T10:41:12"),
            "Daily News 12 / 05 / 2026",
            "https://ec.europa.eu/commission/presscorner/detail/en/mex_26_1142",
        ),
        (
            utc("2026-05-08T11:02:54"),
            "Commission approves €1.1 billion Spanish State aid scheme to support renewable hydrogen production",
            "https://ec.europa.eu/commission/presscorner/detail/en/ip_26_1118",
        ),
    ],
    "eu-digital-strategy": [
        (
            utc("2026-05-12T14:30:00"),  # Drupal writes Brussels time (+0200)
            "EU and Japan deepen cooperation on AI, semiconductors and data at third Digital"
            " Partnership Council",
            "https://digital-strategy.ec.europa.eu/en/news/"
            "eu-and-japan-deepen-cooperation-ai-semiconductors-and-data-third-digital-partnership-council",
        ),
        (
            utc("2026-05-11T10:00:00"),
            "AI Office opens consultation on the Code of Practice on marking and labelling of"
            " AI-generated content",
            "https://digital-strategy.ec.europa.eu/en/news/"
            "ai-office-opens-consultation-code-practice-marking-and-labelling-ai-generated-content",
        ),
        (
            utc("2026-05-07T08:00:00"),
            "Six new AI Factory Antennas selected under the EuroHPC Joint Undertaking",
            "https://digital-strategy.ec.europa.eu/en/news/six-new-ai-factory-antennas-selected-under-eurohpc-joint-undertaking",
        ),
        (
            utc("2026-05-05T07:15:00"),
            "Broadband Competence Offices network meets in Vilnius",
            "https://digital-strategy.ec.europa.eu/en/news/broadband-competence-offices-network-meets-vilnius",
        ),
    ],
    "ep-press": [
        (
            utc("2026-05-05T12:31:00"),
            "Artificial Intelligence Act: MEPs back targeted delay of high-risk rules",
            "https://www.europarl.europa.eu/news/en/press-room/20260505IPR41210/"
            "artificial-intelligence-act-meps-back-targeted-delay-of-high-risk-rules",
        ),
        (
            utc("2026-04-28T15:02:00"),
            "Copyright and generative AI: Legal Affairs Committee calls for fair remuneration of creators",
            "https://www.europarl.europa.eu/news/en/press-room/20260428IPR40877/"
            "copyright-and-generative-ai-legal-affairs-committee-calls-for-fair-remuneration",
        ),
        (
            utc("2026-04-23T11:48:00"),
            "Packaging waste: Parliament approves simplified labelling rules",
            "https://www.europarl.europa.eu/news/en/press-room/20260423IPR40612/"
            "packaging-waste-parliament-approves-simplified-labelling-rules",
        ),
    ],
    "govuk-aisi": [
        (
            utc("2026-05-13T10:00:04"),
            "UK and Japan AI security institutes agree joint testing of frontier models",
            "https://www.gov.uk/government/news/uk-and-japan-ai-security-institutes-agree-joint-testing-of-frontier-models",
        ),
        (
            utc("2026-05-07T08:30:00"),
            "Frontier AI Trends Report 2026",
            "https://www.gov.uk/government/publications/frontier-ai-trends-report-2026",
        ),
        (
            utc("2026-04-29T14:12:45"),
            "Alignment Project: second funding round opens",
            "https://www.gov.uk/government/news/alignment-project-second-funding-round-opens",
        ),
    ],
    "govuk-dsit": [
        (
            utc("2026-05-14T16:45:10"),
            "UK and Republic of Korea agree to deepen cooperation on AI and semiconductors",
            "https://www.gov.uk/government/news/uk-and-republic-of-korea-agree-to-deepen-cooperation-on-ai-and-semiconductors",
        ),
        (
            utc("2026-05-12T09:00:00"),
            "AI Opportunities Action Plan: one year on",
            "https://www.gov.uk/government/publications/ai-opportunities-action-plan-one-year-on",
        ),
        (
            utc("2026-05-11T11:20:31"),
            "Project Gigabit contract brings faster broadband to Cumbria",
            "https://www.gov.uk/government/news/project-gigabit-contract-brings-faster-broadband-to-cumbria",
        ),
        (
            utc("2026-05-08T13:05:00"),
            "Online Safety Act: categorisation thresholds",
            "https://www.gov.uk/government/consultations/online-safety-act-categorisation-thresholds",
        ),
    ],
    "govuk-fcdo": [
        # 1 item(s) dropped by exclude.url '/foreign-travel-advice/'
        (
            utc("2026-05-14T16:02:11"),
            "UK and Kenya launch partnership on AI skills for public servants",
            "https://www.gov.uk/government/news/uk-and-kenya-launch-partnership-on-ai-skills-for-public-servants",
        ),
        (
            utc("2026-05-13T10:30:00"),
            "UN Security Council open debate on artificial intelligence: UK statement",
            "https://www.gov.uk/government/speeches/un-security-council-open-debate-on-artificial-intelligence-uk-statement",
        ),
    ],
    "nist-news": [
        (
            utc("2026-05-12T14:00:00"),  # 10:00 -0400
            "NIST’s Center for AI Standards and Innovation Seeks Input on Security of AI Agents",
            "https://www.nist.gov/news-events/news/2026/05/"
            "nists-center-ai-standards-and-innovation-seeks-input-security-ai-agents",
        ),
        (
            utc("2026-05-06T18:30:00"),
            "NIST Finalizes Cybersecurity Framework Profile for Artificial Intelligence",
            "https://www.nist.gov/news-events/news/2026/05/"
            "nist-finalizes-cybersecurity-framework-profile-artificial-intelligence",
        ),
        (
            utc("2026-04-30T16:00:00"),
            "New Optical Clock Keeps Time to Within One Second Over 40 Billion Years",
            "https://www.nist.gov/news-events/news/2026/04/"
            "new-optical-clock-keeps-time-within-one-second-over-40-billion-years",
        ),
        (
            utc("2026-04-21T13:00:00"),
            "NIST Selects Fifth Algorithm for Post-Quantum Digital Signatures",
            "https://www.nist.gov/news-events/news/2026/04/nist-selects-fifth-algorithm-post-quantum-digital-signatures",
        ),
    ],
    "jp-digital-agency": [
        (
            utc("2026-05-13T09:00:00"),  # 18:00 +0900
            "「行政の進化と革新のための生成AIの調達・利活用に係るガイドライン」を改定しました",
            "https://www.digital.go.jp/news/3f1c9a52-8d47-4e0b-9b6a-2c5e7d1f0a84",
        ),
        (
            utc("2026-05-12T11:30:00"),
            "第3回日EUデジタルパートナーシップ閣僚会合を東京で開催しました",
            "https://www.digital.go.jp/news/a7e20b6d-51c3-4f8e-8e1d-94b0c6f2d713",
        ),
        (
            utc("2026-05-01T01:00:00"),
            "マイナンバーカードの健康保険証利用に関するお知らせ",
            "https://www.digital.go.jp/news/0c5d8e1f-2a3b-4c6d-9e7f-8a1b2c3d4e5f",
        ),
        (
            utc("2026-04-30T08:00:00"),
            "ガバメントクラウドの対象クラウドサービスの公募結果を公表しました",
            "https://www.digital.go.jp/news/5b9e4d2c-7f18-4a63-b0c5-e2d6a9f81c47",
        ),
    ],
    "meti-news": [
        (
            utc("2026-05-15T08:00:00"),
            "日EUデジタルパートナーシップ閣僚級会合（第4回）を開催しました",
            "https://www.meti.go.jp/press/2026/05/20260515003/20260515003.html",
        ),
        (
            utc("2026-05-14T05:00:00"),
            "「AI事業者ガイドライン」の改定案に関する意見公募を開始します",
            "https://www.meti.go.jp/press/2026/05/20260514001/20260514001.html",
        ),
        (
            utc("2026-05-13T01:30:00"),
            "令和8年度中小企業支援策説明会を開催します",
            "https://www.meti.go.jp/press/2026/05/20260513002/20260513002.html",
        ),
    ],
    "msit-press": [
        (
            utc("2026-05-14T03:00:00"),
            "과기정통부, 제4차 한-EU 디지털 파트너십 협의회 개최",
            "https://www.msit.go.kr/bbs/view.do?sCode=user&mId=307&mPid=208&bbsSeqNo=94&nttSeqNo=3190001",
        ),
        (
            utc("2026-05-13T00:00:00"),
            "인공지능 기본법 시행령 개정안 입법예고",
            "https://www.msit.go.kr/bbs/view.do?sCode=user&mId=307&mPid=208&bbsSeqNo=94&nttSeqNo=3189950",
        ),
        (
            utc("2026-05-12T05:00:00"),
            "2026년 우주항공 연구개발 사업 공고",
            "https://www.msit.go.kr/bbs/view.do?sCode=user&mId=307&mPid=208&bbsSeqNo=94&nttSeqNo=3189901",
        ),
    ],
    "jp-mic": [
        (
            utc("2026-05-13T05:00:00"),  # dc:date 14:00+09:00
            "「AIネットワーク社会推進会議」（第32回）の開催",
            "https://www.soumu.go.jp/menu_news/s-news/01iicp01_02000152.html",
        ),
        (
            utc("2026-05-12T08:00:00"),
            "「AI事業者ガイドライン（第1.2版）」（案）に対する意見募集",
            "https://www.soumu.go.jp/menu_news/s-news/01ryutsu04_02000231.html",
        ),
        (
            utc("2026-05-12T01:30:00"),
            "令和8年度地方交付税の算定に関する資料の公表",
            "https://www.soumu.go.jp/menu_news/s-news/01zaisei02_02000098.html",
        ),
        (
            utc("2026-05-08T10:00:00"),
            "日米豪印サイバーセキュリティ・パートナーシップ会合の結果",
            "https://www.soumu.go.jp/menu_news/s-news/01cyber01_02000117.html",
        ),
    ],
    "ai-act-newsletter": [
        (
            utc("2026-05-11T09:12:45"),
            "The EU AI Act Newsletter #101: Omnibus Deal Within Reach",
            "https://artificialintelligenceact.eu/the-eu-ai-act-newsletter-101/",
        ),
        (
            utc("2026-05-05T14:30:00"),
            "High-level summary of the AI Act’s rules for general-purpose AI models",
            "https://artificialintelligenceact.eu/gpai-rules-summary/",
        ),
        (
            utc("2026-04-27T08:45:10"),
            "The EU AI Act Newsletter #100: Countdown to August 2026",
            "https://artificialintelligenceact.eu/the-eu-ai-act-newsletter-100/",
        ),
    ],
    "ai-act-wordpress": [
        (
            utc("2026-05-11T09:12:45"),
            "The EU AI Act Newsletter #101: Omnibus Deal Within Reach",
            "https://artificialintelligenceact.eu/the-eu-ai-act-newsletter-101/",
        ),
        (
            utc("2026-05-05T14:30:00"),
            "High-level summary of the AI Act’s rules for general-purpose AI models",  # &#8217; unescaped
            "https://artificialintelligenceact.eu/gpai-rules-summary/",
        ),
        (
            utc("2026-04-30T10:00:00"),
            "Overview of national implementation plans – market surveillance authorities & sandboxes",
            "https://artificialintelligenceact.eu/national-implementation-plans/",
        ),
        (
            utc("2026-04-27T08:45:10"),
            "The EU AI Act Newsletter #100: Countdown to August 2026",
            "https://artificialintelligenceact.eu/the-eu-ai-act-newsletter-100/",
        ),
    ],
    "federal-register-ai": [
        (
            utc("2026-05-13T00:00:00"),
            "Request for Information Regarding Security Considerations for Artificial Intelligence Agents",
            "https://www.federalregister.gov/documents/2026/05/13/2026-09412/"
            "request-for-information-regarding-security-considerations-for-artificial-intelligence-agents",
        ),
        (
            utc("2026-05-08T00:00:00"),
            "Strengthening American Leadership in Artificial Intelligence Standards",
            "https://www.federalregister.gov/documents/2026/05/08/2026-09105/"
            "strengthening-american-leadership-in-artificial-intelligence-standards",
        ),
        (
            utc("2026-05-04T00:00:00"),
            "Medicare Program; Hospital Inpatient Prospective Payment Systems for Acute Care Hospitals;"
            " Proposed Rule",
            "https://www.federalregister.gov/documents/2026/05/04/2026-08877/"
            "medicare-program-hospital-inpatient-prospective-payment-systems-for-acute-care-hospitals-proposed-rule",
        ),
        (
            utc("2026-04-29T00:00:00"),
            "Export Administration Regulations: Revisions to Controls on Advanced Computing Items",
            "https://www.federalregister.gov/documents/2026/04/29/2026-08610/"
            "export-administration-regulations-revisions-to-controls-on-advanced-computing-items",
        ),
    ],
    "meti-en-press": [
        (
            utc("2026-05-15T00:00:00"),
            "METI and MIC Publish the AI Guidelines for Business Ver1.2",
            "https://www.meti.go.jp/english/press/2026/0515_001.html",  # href="2026/0515_001.html"
        ),
        (
            utc("2026-05-14T00:00:00"),
            "Japan-EU Industrial Policy Dialogue Held: Cooperation on Semiconductors and AI Compute",
            "https://www.meti.go.jp/english/press/2026/0514_002.html",
        ),
        (
            utc("2026-05-14T00:00:00"),
            "Trade Statistics for April 2026 (Preliminary)",
            "https://www.meti.go.jp/english/press/2026/0514_001.html",  # root-relative href
        ),
        (
            utc("2026-05-12T00:00:00"),
            # METI puts the file size inside the link of a PDF release; the listing keeps it.
            "METI Minister Attends the G7 Digital and Tech Ministers’ Meeting (PDF:312KB)",
            "https://www.meti.go.jp/english/press/2026/pdf/0512_001a.pdf",
        ),
        (
            utc("2026-05-08T00:00:00"),
            "Call for Proposals: GENIAC Generative AI Foundation Model Development Support, Round 4",
            "https://www.meti.go.jp/english/press/2026/0508_003.html",
        ),
    ],
    "msit-en-press": [
        (
            utc("2026-05-14T00:00:00"),
            "Enforcement Decree of the AI Basic Act (인공지능 기본법 시행령) Passes Cabinet Meeting",
            "https://www.msit.go.kr/eng/bbs/view.do?sCode=eng&mId=4&mPid=2&bbsSeqNo=42&nttSeqNo=1187",
        ),
        (
            utc("2026-05-12T00:00:00"),
            "Korea and the EU Hold the Third Digital Partnership Council in Seoul",
            "https://www.msit.go.kr/eng/bbs/view.do?sCode=eng&mId=4&mPid=2&bbsSeqNo=42&nttSeqNo=1185",
        ),
        (
            utc("2026-05-08T00:00:00"),
            "Minister’s Meeting with AI·Semiconductor Start-ups on Sovereign AI Compute",
            "https://www.msit.go.kr/eng/bbs/view.do?sCode=eng&mId=4&mPid=2&bbsSeqNo=42&nttSeqNo=1182",
        ),
        (
            utc("2026-05-06T00:00:00"),
            "Nuri Launch Vehicle Completes Fifth Flight",
            "https://www.msit.go.kr/eng/bbs/view.do?sCode=eng&mId=4&mPid=2&bbsSeqNo=42&nttSeqNo=1179",
        ),
    ],
    "ai-action-summit": [
        (
            utc("2026-02-19T00:00:00"),
            "From Paris to New Delhi: France at the AI Impact Summit",
            "https://www.elysee.fr/en/emmanuel-macron/2026/02/19/from-paris-to-new-delhi-france-at-the-ai-impact-summit",
        ),
        (
            utc("2025-02-11T00:00:00"),
            "Statement on Inclusive and Sustainable Artificial Intelligence for People and the Planet",
            "https://www.elysee.fr/en/emmanuel-macron/2025/02/11/"
            "statement-on-inclusive-and-sustainable-artificial-intelligence-for-people-and-the-planet",
        ),
        (
            utc("2025-02-11T00:00:00"),
            "Closing of the AI Action Summit at the Grand Palais",
            "https://www.elysee.fr/en/emmanuel-macron/2025/02/11/closing-of-the-ai-action-summit-at-the-grand-palais",
        ),
        (
            utc("2025-02-10T00:00:00"),
            "Launch of Current AI, a public interest AI partnership",
            "https://www.elysee.fr/en/emmanuel-macron/2025/02/10/launch-of-current-ai-a-public-interest-ai-partnership",
        ),
        (
            utc("2025-02-12T00:00:00"),
            "Visit of the Prime Minister of India to Marseille",
            "https://www.elysee.fr/en/emmanuel-macron/2025/02/12/visit-of-the-prime-minister-of-india-to-marseille",
        ),
    ],
    "jp-kantei-en": [
        (
            utc("2026-05-14T00:00:00"),
            "Meeting of the Artificial Intelligence Strategic Headquarters",
            "https://japan.kantei.go.jp/105/actions/202605/14ai_honbu.html",
        ),
        (
            utc("2026-05-12T00:00:00"),
            "Statement by the Prime Minister on the Second Anniversary of the Hiroshima AI Process Friends Group",
            "https://japan.kantei.go.jp/105/statement/202605/12hiroshima_ai.html",
        ),
        (
            utc("2026-05-08T00:00:00"),
            "Press Conference by the Prime Minister on the Basic Plan for Artificial Intelligence",
            "https://japan.kantei.go.jp/105/speech/202605/08kaiken.html",
        ),
    ],
    "ec-presscorner-digital": [  # the feed's digital-policy entries (the feed above drops them)
        (
            utc("2026-05-12T08:15:37"),
            "Statement by Executive Vice-President Virkkunen following the third EU-Japan Digital Partnership Council",
            "https://ec.europa.eu/commission/presscorner/detail/en/statement_26_1139",
        ),
        (
            utc("2026-05-10T22:00:00"),  # midnight in Brussels, as the press corner dates releases
            "Commission publishes guidelines on the classification of high-risk AI systems under the AI Act",
            "https://ec.europa.eu/commission/presscorner/detail/en/ip_26_1121",
        ),
        (
            utc("2026-05-10T22:00:00"),
            "Questions and answers on the guidelines for high-risk AI systems",
            "https://ec.europa.eu/commission/presscorner/detail/en/qanda_26_1122",
        ),
    ],
    "us-congress-bills": [
        # 2 item(s) dropped by include: no pattern matched
        (
            utc("2026-05-13T00:00:00"),
            "Artificial Intelligence Risk Evaluation Act of 2026",
            "https://www.congress.gov/bill/119th-congress/house-bill/6120",
        ),
        (
            utc("2026-05-11T00:00:00"),
            "Providing for congressional disapproval of the rule submitted by the Bureau of Industry and Security relating to export controls on AI model weights.",
            "https://www.congress.gov/bill/119th-congress/senate-joint-resolution/88",
        ),
        (
            utc("2026-05-07T00:00:00"),
            "Algorithmic Accountability Act of 2026",
            "https://www.congress.gov/bill/119th-congress/senate-bill/3377",
        ),
    ],
    # policywatch new-source adds its row above this line
}


# --------------------------------------------------------------------------- the table


@pytest.mark.parametrize("source_id", sorted(SHIPPED))
@time_machine.travel(FROZEN_NOW, tick=False)
def test_shipped_source_extracts_exactly_the_expected_items(source_id: str) -> None:
    source = SHIPPED[source_id]
    if source_id not in EXPECTED:
        pytest.fail(
            f"source {source_id!r} has no row in EXPECTED (tests/integration/test_shipped_sources.py)"
        )
    path = fixture_path(source_id)
    items = parse_stored_response(source, path.read_bytes(), path.suffix)
    got = [(item.published, item.title, item.url) for item in items]
    assert got == EXPECTED[source_id]
    for item in items:
        assert item.source_id == source_id
        assert item.published is not None and item.published.utcoffset() == timedelta(0), item
        assert item.url.startswith("https://"), item.url


def test_every_enabled_source_has_a_fixture_and_expected_items() -> None:
    """A maintainer cannot ship a source without a stored response and the items it must yield."""
    problems = []
    for source_id, source in sorted(SHIPPED.items()):
        found = sorted(FIXTURES.glob(f"{source_id}.*"))
        if len(found) != 1:
            problems.append(f"{source_id}: want one fixture {FIXTURES.name}/{source_id}.<ext>, have {found}")
            continue
        path = found[0]
        if path.suffix not in EXTENSIONS.get(source.kind, {path.suffix}):
            problems.append(f"{source_id}: a {source.kind} fixture ends in one of {EXTENSIONS[source.kind]}")
        if path.stat().st_size > MAX_FIXTURE_BYTES:
            problems.append(f"{source_id}: fixture is {path.stat().st_size} bytes; trim it to a few items")
        if PLACEHOLDER in path.read_bytes():
            problems.append(
                f"{source_id}: {path.name} is the scaffold's placeholder; write it in the site's format"
            )
        if "TODO" in source.model_dump_json():
            problems.append(f"{source_id}: its sources.yaml entry still has a TODO")
        if not EXPECTED.get(source_id):
            problems.append(f"{source_id}: no expected items in EXPECTED")
    stale = sorted(set(EXPECTED) - set(SHIPPED))
    if stale:
        problems.append(f"EXPECTED names sources that are not shipped (or are disabled): {stale}")
    orphans = sorted(p.name for p in FIXTURES.iterdir() if p.name.split(".", 1)[0] not in SHIPPED)
    if orphans:
        problems.append(f"fixtures for no shipped source: {orphans}")
    assert not problems, "\n".join(problems)


def test_every_crawled_kind_is_shipped_and_covered() -> None:
    """The table runs each kind's own parser; every kind but sitemap has a shipped source (the
    sitemap parser is covered by tests/unit/test_spider_parsing.py and tests/integration/test_crawl_runner.py)."""
    kinds = {source.kind for source in SHIPPED.values()}
    assert kinds >= {"feed", "listing", "wordpress", "json_api", "spider"}, kinds


# --------------------------------------------------------------------------- encodings


def test_fixtures_keep_the_sites_legacy_encodings() -> None:
    """MIC's RDF is Shift_JIS bytes and MSIT's page EUC-KR bytes, as the sites serve them."""
    mic = fixture_path("jp-mic").read_bytes()
    assert mic.startswith(b'<?xml version="1.0" encoding="Shift_JIS"?>')
    msit = fixture_path("msit-en-press").read_bytes()
    assert b'<meta charset="euc-kr">' in msit
    for body in (mic, msit):
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
    assert "総務省" in mic.decode("shift_jis") and "국문" in msit.decode("euc-kr")


@pytest.mark.parametrize(
    "content_type",
    [None, "text/html; charset=UTF-8", "text/html; charset=ISO-8859-1", "text/html"],
)
def test_euc_kr_listing_survives_a_wrong_charset_header(content_type: str | None) -> None:
    """The spider decodes with the response's header; a wrong one must not garble the titles."""
    source = SHIPPED["msit-en-press"]
    assert isinstance(source, ListingSource)
    page = parsing.decode_html(fixture_path("msit-en-press").read_bytes(), content_type)
    links = parsing.listing_links(page, source.url, source.listing)
    assert [link["title"] for link in links] == [title for _, title, _ in EXPECTED["msit-en-press"]]


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "text/xml; charset=utf-8",  # wrong, but a multi-byte charset the bytes fail: the declaration wins
        "text/html",
        "text/xml; charset=ISO-8859-1",  # a server default that contradicts the XML declaration
    ],
)
def test_shift_jis_rdf_with_the_headers_a_server_may_send(content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    parsed = parse_feed(fixture_path("jp-mic").read_bytes(), "jp-mic", headers)
    assert [item.title for item in parsed.items] == [title for _, title, _ in EXPECTED["jp-mic"]]


# --------------------------------------------------------------------------- the command a maintainer runs


@pytest.mark.parametrize(
    "source_id", ["jp-mic", "msit-en-press", "ec-presscorner-digital", "us-congress-bills"]
)
def test_dry_run_command_prints_the_fixture_titles(source_id: str, tmp_path: Path) -> None:
    fixture = fixture_path(source_id)
    env = {
        **os.environ,
        "POLICYWATCH_DATA_DIR": str(tmp_path / "data"),
        "POLICYWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "COLUMNS": "400",  # rich folds long cells at 80 columns when not on a terminal
    }
    env.pop("POLICYWATCH_SOURCES", None)
    proc = subprocess.run(
        [str(PW), "sources", "dry-run", source_id, "--fixture", str(fixture)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    expected = EXPECTED[source_id]
    assert f"{source_id}: {len(expected)} item(s) (nothing stored)" in proc.stdout
    for _, title, _ in expected:
        assert title in proc.stdout
    assert not (tmp_path / "store.db").exists()  # a dry run stores nothing
