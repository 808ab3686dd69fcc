"""Rule-based classification of one news item: AI-policy or not, places, topics, events.

A pure function over (title, text, published) and the rules in ``rules.yaml``: no I/O besides
loading the rules, so it can be replayed over stored items whenever the rules change
(DESIGN.md decision 5). Every label carries the rule that produced it and the evidence
sentence, which is what ``policywatch explain`` shows to a subscriber.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pipeline.events import Sentences, extract_events, jurisdiction_spans
from pipeline.rules import Rules, load_rules
from pipeline.sentences import split_sentences
from pipeline.types import Classification, Label


def _ai_policy(
    title: str, joined: Sentences, ai: list[bool], rules: Rules, n_events: int
) -> tuple[bool, str, str]:
    """Score AI x policy co-occurrence; negatives (earnings, sports, defence) pull it down.

    A sentence about AI counts when it, or a neighbouring sentence, uses a policy word: an
    article about chips that says "policy" once and "AI" five paragraphs later is not
    AI-policy news, but "Ministers met in Brussels. They discussed AI." is. Validated events
    (a council meeting, a summit, a signed MoU) are policy evidence in their own right.
    Returns (decision, rule, evidence).
    """
    cfg, fast = rules.ai_policy, rules.fast
    sentences = joined.items
    policy = joined.flags(fast.policy)
    title_ai, title_policy = bool(fast.ai.search(title)), bool(fast.policy.search(title))
    score, evidence = 0.0, ""
    if title_ai and title_policy:
        score += cfg.title_weight
        evidence = title
    for i, has_ai in enumerate(ai):
        near = policy[max(0, i - 1) : i + 2] + ([title_policy] if i < 2 else [])
        if has_ai and any(near):
            score += cfg.sentence_weight if policy[i] else cfg.sentence_weight / 2
            evidence = evidence or sentences[i]
    score += cfg.event_weight * n_events
    negatives: Counter[str] = Counter()
    for name, rx, weight in fast.negative:
        hits = sum(joined.flags(rx)) + bool(rx.search(title))
        if hits:
            negatives[name] += hits
            score -= weight * hits
    rule = f"ai_policy score={score:.1f}" + ("" if not negatives else " -" + ",".join(sorted(negatives)))
    return score >= cfg.min_score, rule, evidence


def classify(
    title: str, text: str, published: datetime | None = None, rules: Rules | None = None
) -> Classification:
    """Classify one item; ``rules=None`` uses the default rules.yaml (cached after the first load)."""
    rules = rules or load_rules()
    title = " ".join((title or "").split())
    sentences = split_sentences(text or "")
    joined = Sentences(sentences)
    ai = joined.flags(rules.fast.ai)
    juris = joined.jurisdictions(rules)
    labels: list[Label] = []

    events, scored = extract_events(title, joined, published, rules, juris=juris, ai=ai)
    strong = sum(1 for ev in scored if ev.eligible)
    is_ai_policy, ai_rule, ai_evidence = _ai_policy(title, joined, ai, rules, strong)
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
        hit = title if rx.search(title) else None
        if hit is None:
            hit = next((joined.items[i] for i, _ in joined.matches(rx)), None)
        if hit is not None:
            topics.append(topic_id)
            labels.append(Label("topic", topic_id, f"topic:{topic_id}", hit))

    event_type, evidence = "none", ""
    for ext, ev in zip(events, scored, strict=True):
        # Generic triggers ("a summit", "a law") need AI-policy context; curated series (a Digital
        # Partnership Council) and MoUs with a public party are policy events by definition and only
        # need some AI/digital talk.
        curated = (not ev.series.generic or ev.series.needs_actor) and any(ai)
        if ev.eligible and (is_ai_policy or curated):
            event_type, evidence = ext.type, ext.evidence
            labels.append(
                Label("event_type", ext.type, f"series:{ext.rule} score={ev.weighted:.2f}", evidence)
            )
            if not is_ai_policy:
                is_ai_policy = True
                labels[0] = Label("ai_policy", "true", ai_rule + f" +series:{ext.rule}", evidence)
            break
    return Classification(
        ai_policy=is_ai_policy,
        event_type=event_type,
        jurisdictions=jurisdictions,
        topics=topics,
        labels=labels,
        events=events,
        evidence=evidence,
    )
