"""The fast cue matcher (RE2 sieve + Python confirmation) gives exactly what Python's re gives.

``pipeline.intel.cues.FamilyMatcher`` lets RE2 say which families may occur and where, then
confirms each hit with the family's own Python pattern. These tests hold it to plain
``pattern.search`` / ``pattern.findall`` on texts chosen to find where the two engines differ:
Unicode word boundaries (RE2's \\b is ASCII-only), letters Python folds that RE2 does not
(İ, ı, ſ, the Kelvin sign), lookarounds, non-Latin scripts, Unicode spaces and digits. The
prefilter reader (``core.regex_syntax.parse_regex``) is checked the same way: a prefilter may
only skip texts the pattern cannot match. No timing here (bench/classify.py measures speed).
"""

from __future__ import annotations

import random
import re

import pytest

from core.regex_syntax import Unsupported, parse_regex
from pipeline.intel.clause_dates import _DATE_PATTERNS as CLAUSE_DATE_PATTERNS
from pipeline.intel.cues import FamilyMatcher, load_cues, relaxed_source
from pipeline.intel.dates import _patterns as date_patterns
from pipeline.intel.features import item_features, zones
from pipeline.intel.prefilter import FastRx
from pipeline.intel.rules_loading import load_rules
from pipeline.intel.sentence_index import Sentences
from pipeline.intel.sieve import GuidedRx

TEXTS = [
    "",
    " ",
    "Leaders gather for the AI Safety Summit at Bletchley Park",
    "SUMMIT summits Summitry presummit summit-level (summit) «summit» summit's",
    "The G7 digital and tech ministers' meeting adopted a declaration on AI.",
    "EU-Japan Digital Partnership Council: second meeting held in Brussels on 3 July 2024",
    "The Council of the EU adopted the AI Act; the Parliament approved the bill.",
    "Ministers signed a memorandum of understanding (MoU) on AI cooperation.",
    "Executive Order 14110 on Safe, Secure, and Trustworthy AI",
    "Joint Statement of the 3rd Japan-Korea digital policy dialogue",
    # Japanese, Korean, Chinese
    "日EUデジタルパートナーシップ閣僚会合を開催しました。AI基本法が成立。",
    "G7デジタル・技術大臣会合、広島AIプロセスに関する閣僚声明を採択",
    "한-EU 디지털 파트너십 협의회 개최… 인공지능 기본법 국회 통과",
    "한국과 일본은 디지털 정책 대화를 열었다. 정상회의는 서울에서 열린다.",
    "中欧数字伙伴关系 峰会 部长级会议 人工智能法",
    "AI法人の設立と方法論。法律が施行された。法人税。",
    "방법과 법인, 법원, 법률이 공포되었다.",
    # German, French, Spanish, Portuguese, Italian: accents at word edges
    "Der Digitalgipfel und das Gipfeltreffen: Rat der EU, KI-Verordnung verabschiedet.",
    "Bundesregierung: Ministertreffen zur KI; Gipfel in Berlin; Datengipfel.",
    "Le sommet pour l'action sur l'IA à Paris ; réunion ministérielle ; Conseil de l'UE.",
    "La cumbre de la IA; reunión ministerial; consejo; cúpula; Cúpulas; vértice.",
    "A cúpula do G20; reunião ministerial; conselho; parceria digital.",
    "Il vertice sull'IA; riunione ministeriale; consiglio; vertici.",
    "ésummit summité 日summit summit日 ñrat ratñ rat Rat RAT ratify",
    "ÉTÉ été Été CÚPULA cúpulaś",
    # letters Python's IGNORECASE folds unlike RE2
    "ſummit SUMMİT summıt SUMMIT ſommet Kelvin \u212a council \u212aI",
    "AI ai Ai aI \u0130A KI ki IA ia \u0131a",
    "(AI) 'AI' AI-driven AIs GenAI OpenAI AI2 KI-Gesetz IA générative",
    # whitespace and digits beyond ASCII
    "ministers\u00a0meeting ministers\u3000meeting ministers\u2003meeting ministers\nmeeting",
    "G\u0037 digital ministers; G２０ digital ministers; G20\u00a0digital\u00a0ministers",
    "digital\tpartnership digital\u200bpartnership digital_partnership DIGITAL PARTNERSHIP",
    "2024年7月3日 2024년 7월 3일 ٢٠٢٤ ३ जुलाई",
    "Held on 14. März 2024, 3 July-4 July 2024, Tuesday, heute; 令和6年7月3日, 내달 14일 개최, 来月, in May",
    # punctuation and edges
    "summit_summit summit-summit summit.summit summit/summit _summit summit_",
    "a" * 300 + " summit " + "b" * 300,
    "\U0001f600summit\U0001f600 \U0001d5ccummit",
]


def _shuffled(seed: int, n: int) -> list[str]:
    """Texts stitched from the ones above, cut at odd places (boundaries inside words)."""
    rng = random.Random(seed)
    words = " ".join(TEXTS).split()
    out = []
    for _ in range(n):
        text = "".join(
            rng.choice(words) + rng.choice(["", " ", "-", "\u00a0", "日", "é", "_"]) for _ in range(12)
        )
        out.append(text[rng.randrange(0, 5) :])
    return out


ALL_TEXTS = TEXTS + _shuffled(7, 200)


@pytest.fixture(scope="module")
def cues():  # type: ignore[no-untyped-def]
    return load_cues()


def test_every_family_has_a_sieve(cues) -> None:  # type: ignore[no-untyped-def]
    """Each family goes through RE2 (none silently left to the slow path)."""
    m = cues.matcher
    assert [name for k, (name, _) in enumerate(cues.families) if m.sieve[k] is None] == []


def test_search_and_count_are_pythons(cues) -> None:  # type: ignore[no-untyped-def]
    m = cues.matcher
    for text in ALL_TEXTS:
        zone = m.zone(text)
        for k, (name, rx) in enumerate(cues.families):
            want = rx.search(text)
            got = m.search(k, zone)
            assert (got and got.span()) == (want and want.span()), (name, text)
            assert m.count(k, zone, 5) == min(len(rx.findall(text)), 5), (name, text)


def test_single_patterns_are_pythons(cues) -> None:  # type: ignore[no-untyped-def]
    """Each pattern on its own too (a family's alternation can hide a pattern's difference)."""
    patterns = [rx for _, rx in cues.families]
    singles = [
        re.compile(p, re.IGNORECASE)
        for rx in patterns
        for p in re.findall(r"\(\?:(.*?)\)(?:\||$)", rx.pattern)
        if _compiles(p)
    ]
    m = FamilyMatcher(singles)
    for text in ALL_TEXTS:
        zone = m.zone(text)
        for k, rx in enumerate(singles):
            want = rx.search(text)
            got = m.search(k, zone)
            assert (got and got.span()) == (want and want.span()), (rx.pattern, text)


def _compiles(p: str) -> bool:
    try:
        re.compile(p)
    except re.error:
        return False
    return True


@pytest.mark.parametrize(
    "pattern",
    [
        r"\bsummits?\b",
        r"\bété\b",
        r"\bcúpulas?\b",
        r"\w*gipfel\b",
        r"\bgipfel\w*",
        r"(?<![A-Za-z])(?-i:AI)(?![A-Za-z])",
        r"(?<![方])法(?![人])",
        r"ministers?['’]?\s+meeting",
        r"\b(?:G7|G20)\s+(?:digital|tech)\w*\s+ministers?",
        r"\Bummit",
        r"[^a-z]ummit",
        r"\d+\s*年",
        r"(?i:k)elvin|\bK\b",
        r"rat\b",
        r"\bi",
        r"(?-i:Summit)",
        r"x*",
    ],
)
def test_edge_patterns(pattern: str) -> None:
    rx = re.compile(pattern, re.IGNORECASE)
    m = FamilyMatcher([rx])
    for text in ALL_TEXTS:
        zone = m.zone(text)
        want = rx.search(text)
        got = m.search(0, zone)
        assert (got and got.span()) == (want and want.span()), text
        assert m.count(0, zone, 5) == min(len(rx.findall(text)), 5), text


def _spans(matches: list[re.Match[str]]) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in matches]


def test_guided_search_is_pythons_for_every_rules_pattern() -> None:
    """``GuidedRx`` (RE2 proposes, Python confirms) gives Python's matches, groups included, for
    every pattern the rules run through ``FastRx`` and every date form, from any start position."""
    fast = load_rules().fast
    patterns = {rx.rx.pattern: rx.rx for rx in fast.index_patterns()}
    assert len(patterns) > 50
    patterns.update({rx.pattern: rx for _kind, rx in [*date_patterns(), *CLAUSE_DATE_PATTERNS]})
    for rx in patterns.values():
        guided = GuidedRx(rx)
        for text in ALL_TEXTS:
            assert _spans(guided.finditer(text)) == _spans(list(rx.finditer(text))), (rx.pattern, text)
            for pos in (0, 1, 7):
                want, got = rx.search(text, pos), guided.search(text, pos)
                assert (got and got.span()) == (want and want.span()), (rx.pattern, text, pos)


@pytest.mark.parametrize(
    "pattern",
    [
        r"\bsummits?\b",
        r"(?<![A-Za-z])(?-i:AI)(?![A-Za-z])",
        r"(?<![方])法(?![人])",
        r"rat\b",
        r"x*",
        r"(a)\1",
    ],
)
def test_guided_edge_patterns(pattern: str) -> None:
    rx = re.compile(pattern, re.IGNORECASE)
    guided = GuidedRx(rx)
    for text in [*ALL_TEXTS, "AI summit \ud800 council"]:
        assert _spans(guided.finditer(text)) == _spans(list(rx.finditer(text))), text


@pytest.mark.parametrize(
    "pattern", [r"(?<=한)일(?=[\s,]|$)", r"(?<=[-–·])한(?!국)", r"(?<=a[bB])c+", r"(?<=\d)x"]
)
def test_guided_opening_lookbehind(pattern: str) -> None:
    """A lookbehind the sieve reads as part of the match: Python's matches, from every start."""
    rx = re.compile(pattern, re.IGNORECASE)
    guided = GuidedRx(rx)
    assert guided.sieve is not None and guided.lead > 0
    for text in [
        "한일 정상회의, 한-일 한일",
        "abc aBcc abbc xabcc",
        "한·한국 한–한 abc한일",
        "1x 2xx x3x ＡBc",
    ]:
        assert _spans(guided.finditer(text)) == _spans(list(rx.finditer(text))), text
        for pos in range(len(text) + 1):
            want, got = rx.search(text, pos), guided.search(text, pos)
            assert (got and got.span()) == (want and want.span()), (text, pos)


def test_lone_surrogate_falls_back_to_python(cues) -> None:  # type: ignore[no-untyped-def]
    text = "AI summit \ud800 council"
    m = cues.matcher
    zone = m.zone(text)
    assert zone.hits is None
    for k, (_, rx) in enumerate(cues.families):
        assert bool(m.search(k, zone)) == bool(rx.search(text))


def test_features_match_plain_python(cues) -> None:  # type: ignore[no-untyped-def]
    """item_features through the matcher equals the plain-re computation of the same features."""
    for i, text in enumerate(ALL_TEXTS):
        title = ALL_TEXTS[(i * 7) % len(ALL_TEXTS)][:120]
        body = (text + " ") * 12
        assert item_features(title, body, cues) == _plain_features(title, body, cues)


def _plain_features(title: str, text: str, cues) -> dict[str, float]:  # type: ignore[no-untyped-def]
    z = zones(title, text)
    f: dict[str, float] = {}
    for name, rx in cues.families:
        hit_t = rx.search(z.title) if z.title else None
        hit_l = rx.search(z.lead) if z.lead else None
        if hit_t:
            f["T:" + name] = 1.0
        if hit_l:
            f["L:" + name] = 1.0
        if z.body:
            n = len(rx.findall(z.body))
            if n:
                f["B:" + name] = min(n, 5) / 5
    got = item_features(title, text, cues)
    # the families' hits are what this checks; the combinations are derived from them
    return {k: v for k, v in got.items() if not k.startswith(("T:", "L:", "B:"))} | f


def test_relaxed_source_is_rejected_for_backreferences() -> None:
    with pytest.raises(Unsupported):
        relaxed_source(re.compile(r"(a)\1"))


def test_prefilter_never_skips_a_match() -> None:
    """Every pattern of rules.yaml with a prefilter: when the pattern matches, the prefilter lets
    the text through (the prefilter reader is ours, not the engine's private parser)."""
    rules = load_rules()
    fast = rules.fast
    patterns = [rx for _, rx in fast.series] + [fast.ai, fast.core_ai, fast.policy]
    patterns += [rx for rx in fast.type_cue.values() if rx] + [rx for rx in fast.type_ana.values() if rx]
    patterns += [rx for _, rx in fast.topics] + [rx for _, rx, _ in fast.negative]
    patterns += list(fast.status.values())
    # Known gap, older than this reader: the factor index lower-cases, so a text writing "summıt"
    # or "ſummit" (letters Python's IGNORECASE folds to i and s) is skipped. See the xfail below.
    texts = [t for t in ALL_TEXTS if not set(t) & set(_ODD_FOLDS)]
    for frx in patterns:
        for text in texts:
            if frx.rx.search(text):
                assert frx._may_match(text), (frx.pattern, text)


_ODD_FOLDS = "\u0130\u0131\u017f\u212a"


def test_prefilter_and_odd_case_folds() -> None:
    frx = FastRx(re.compile(r"\bsummits?\b", re.IGNORECASE))
    for text in ("the summıt", "THE SUMMİT", "İstanbul hosts the SUMMIT"):
        assert frx.rx.search(text)
        assert frx._may_match(text), text
        assert Sentences(["Opening.", text]).lines(frx) == [1], text


@pytest.mark.parametrize(
    ("pattern", "factors"),
    [
        (r"\bsummits?\b", ("summit",)),
        (r"Mo[UC]s?", ("moc", "mou")),
        (r"(?:digital|data)\s+partnership", ("partnership",)),
        (r"(?-i:AI)|artificial intelligence", ("ai", "artificial intelligence")),
        (r"a?", None),
    ],
)
def test_parse_regex_factors(pattern: str, factors: tuple[str, ...] | None) -> None:
    assert FastRx(re.compile(pattern, re.IGNORECASE)).factors == factors


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?x) a b", r"(a)?(?(1)b|c)", r"\N{BULLET}"])
def test_parse_regex_refuses_what_it_does_not_read(pattern: str) -> None:
    with pytest.raises(Unsupported):
        parse_regex(pattern, re.compile(pattern).flags)


@pytest.mark.parametrize(
    ("title", "head", "tail"),
    [
        # the statement a meeting adopted is the news, though the meeting is named first
        ("Ministerial Meeting on Technology: G7 Joint Statement", "ministerial", "joint_statement"),
        ("Leaders gather for the summit; declaration adopted", "summit", "declaration"),
        # two families ending together: the more specific one is the noun
        ("Chile and Mexico launch Digital Partnership", "digital_partnership", "digital_partnership"),
    ],
)
def test_the_headline_s_first_and_last_event_nouns(title: str, head: str, tail: str) -> None:
    f = item_features(title, "", load_cues())
    assert f.get(f"headT:{head}") == 1.0
    assert f.get(f"tailT:{tail}") == 1.0
    assert sum(1 for k in f if k.startswith("tailT:")) == 1
