"""Event intelligence learned from real news: rules propose, a model decides (DESIGN.md decision 5).

* ``vocabulary``: the event types, written once.
* ``cues``: the cue families of ``rules/cues.yaml`` (how an event is reported, in every language).
* ``features``: an item's headline, lead and body turned into cue features.
* ``model``: the shipped linear model that decides the primary event type, and explains itself.
* ``corpus``: the real, labelled corpus in ``../shared/corpus/news`` (read, never copied).
* ``train``: one reproducible command that fits the model on the corpus's ``train`` split.
* ``baseline``: a first-match keyword alert, the yardstick every figure is printed beside.
"""
