"""Site-specific spiders, one module per source (``kind: spider`` in sources.yaml).

Write one only when the generic kinds cannot express the site; scaffold it with
``spiders.scaffold.new_source`` so it comes with a stored fixture and a test.
"""
