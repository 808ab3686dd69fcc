"""Rule-based classification of one news item: AI-policy or not, places, topics, events.

A pure function over (title, text, published) and the rules in ``rules.yaml``: no I/O besides
loading the rules, so it can be replayed over stored items whenever the rules change
(DESIGN.md decision 5). Every label carries the rule that produced it and the evidence
sentence, which is what ``policywatch explain`` shows to a subscriber.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pipeline.events import extract_events, jurisdiction_spans
from pipeline.rules import Rules, load_rules
from pipeline.sentences import split_sentences
from pipeline.types import Classification, Label


def _ai_policy(title: str, sentences: list[str], ai: list[bool], rules: Rules) -> tuple[bool, str, str]:
    """Score AI x policy co-occurrence; negatives (earnings, sports, defence) pull it down.

    Returns (decision, rule, evidence). Co-occurrence in one sentence is required because an
    article about chips that says "policy" once and "AI" elsewhere is not AI-policy news.
    """
    cfg, fast = rules.ai_policy, rules.fast
    score, evidence = 0.0, ""
    if fast.ai.search(title) and fast.policy.search(title):
        score += cfg.title_weight
        evidence = title
    for s, has_ai in zip(sentences, ai, strict=True):
        if has_ai and fast.policy.search(s):
            score += cfg.sentence_weight
            evidence = evidence or s
    negatives = Counter()
    for s in [title, *sentences]:
        for neg in cfg.negative:
            if neg.pattern.search(s):
                negatives[neg.name] += 1
                score -= neg.weight
    rule = "ai_policy" + ("" if not negatives else " -" + ",".join(sorted(negatives)))
    return score >= cfg.min_score, rule, evidence


def classify(title: str, text: str, published: datetime | None = None, rules: Rules | None = None) -> Classification:
    """Classify one item; ``rules=None`` uses the default rules.yaml (cached after the first load)."""
    rules = rules or load_rules()
    title = " ".join((title or "").split())
    sentences = split_sentences(text or "")
    ai = [bool(rules.fast.ai.search(s)) for s in sentences]
    juris = [jurisdiction_spans(s, rules) for s in sentences]
    labels: list[Label] = []

    is_ai_policy, ai_rule, ai_evidence = _ai_policy(title, sentences, ai, rules)
    labels.append(Label("ai_policy", str(is_ai_policy).lower(), ai_rule, ai_evidence))

    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for s, spans in [(title, jurisdiction_spans(title, rules)), *zip(sentences, juris, strict=True)]:
        for _, _, code in spans:
            counts[code] += 1
            first.setdefault(code, s)
    jurisdictions = [c for c, _ in sorted(counts.items(), key=lambda kv: -kv[1])]
    labels += [Label("jurisdiction", c, f"jurisdiction:{c}", first[c]) for c in jurisdictions]

    topics: list[str] = []
    for topic_id, rx in rules.fast.topics:
        hit = next((s for s in [title, *sentences] if rx.search(s)), None)
        if hit is not None:
            topics.append(topic_id)
            labels.append(Label("topic", topic_id, f"topic:{topic_id}", hit))

    events, scored = extract_events(title, sentences, published, rules, juris=juris, ai=ai)
    event_type, evidence = "none", ""
    if is_ai_policy:
        for ext, ev in zip(events, scored, strict=True):
            if ev.score >= rules.scoring.min_primary:
                event_type, evidence = ext.type, ext.evidence
                labels.append(Label("event_type", ext.type, f"series:{ext.rule} score={ev.weighted:.2f}", evidence))
                break
    return Classification(
        ai_policy=is_ai_policy, event_type=event_type, jurisdictions=jurisdictions, topics=topics,
        labels=labels, events=events, evidence=evidence,
    )
