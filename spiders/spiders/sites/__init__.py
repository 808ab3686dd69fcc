"""Site spiders, one module per ``kind: spider`` source, its ``name`` the source id.

Write one only when no declarative kind can express the site, and scaffold it with
``policywatch new-source ID URL --format html|json|xml`` so that it comes with its fixture, its
sources.yaml entry and its EXPECTED row. A module here loads only when sources.yaml declares
its source (``spiders.loader``).
"""
