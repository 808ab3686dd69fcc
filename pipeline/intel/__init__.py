"""The classifier: rules propose candidate events, a model learned from real news decides (DESIGN.md 5).

One job per module, from the bottom up:

* ``vocabulary``: the event types, written once.
* The rules (``rules/``, data): ``rules_schema`` (their typed model), ``rules_loading`` (which file
  or folder, validated and cached), ``patterns`` (validated regular expressions and alternations),
  ``prefilter`` (required substrings, so most sentences skip the regex engine), ``alias_gazetteer``
  (jurisdiction and place aliases by word n-grams), ``compiled_rules`` (the hot path's view).
* Candidate events: ``sentence_index`` (an item's sentences and clauses, indexed for the rules),
  ``mentions`` (series and triggers named in a sentence), ``candidates`` (mentions joined into
  events), ``scoring`` (salience and validity), ``extraction`` (the entry: an item's events).
  Their slots: ``clause_dates``, ``ordinals``, ``status``, ``places``; their keys: ``event_names``,
  ``event_keys``.
* The model: ``cues`` (cue families of ``rules/cues.yaml``), ``features``, ``model`` (the shipped
  linear model), ``generic`` (an event no rule names), ``dates`` and ``places`` (the primary
  event's date and place), ``identity`` (one real event across reports).
* Training and evaluation: ``corpus`` (the real, labelled corpus in ``../shared``, read, never
  copied), ``train``, ``heldout`` (leave-series-out), ``baseline`` (a first-match keyword alert,
  the yardstick), ``report``.
"""
