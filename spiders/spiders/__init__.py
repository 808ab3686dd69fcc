"""Spiders: generic ones per source kind (generated per source by ``configured``) and ``sites/``.

Scrapy's spider loader walks this package; a module under ``sites/`` holds one hand-written
spider whose ``name`` is its source id.
"""
