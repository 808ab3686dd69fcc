"""The declarative source list (``sources.yaml``): what to watch and how to fetch it.

One entry per source; ``kind`` picks the fetcher. Feeds are polled by the feed poller,
HTML/API kinds are crawled by the generic Scrapy spiders, ``jsonl`` is the import path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from policywatch.yamlconf import ConfigError, duplicates, load_yaml, validate_file

SourceId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$")]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: SourceId
    name: str = ""
    url: str
    tier: Literal["feeds", "sites", "apis"] = "feeds"
    enabled: bool = True
    jurisdictions: list[str] = Field(default_factory=list)
    """Jurisdictions implied by the publisher (e.g. EU for the Commission), added to every item."""
    language: str | None = None
    timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    max_bytes: int = Field(default=10_000_000, gt=0)
    private_network: bool = Field(
        default=False,
        description=(
            "Allow this source (feed, listing, articles and redirects) to reach loopback, private, "
            "link-local and other internal addresses. Off by default: every fetch is refused when "
            "its host resolves to such an address (the cloud metadata address included). Set it "
            "only for an intranet source or the loopback demo web."
        ),
    )

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str) -> str:
        if "{base}" in value:  # demo sources are templated on the loopback address
            return value
        HttpUrl(value)
        return value

    @property
    def label(self) -> str:
        return self.name or self.id


class FeedSource(_Base):
    """RSS 0.9x/1.0 (RDF)/2.0 or Atom, polled with conditional GET."""

    kind: Literal["feed"]
    fetch_articles: bool = False
    """Fetch each new entry's page and extract its main text (for feeds that carry only summaries)."""


class ListingSelectors(BaseModel):
    model_config = ConfigDict(extra="forbid")
    links: str
    """CSS selector (or XPath when it starts with '/' or '(') for article links on the listing."""
    title: str | None = None
    date: str | None = None
    next_page: str | None = None
    max_pages: int = Field(default=1, ge=1, le=50)
    article_title: str | None = None
    article_date: str | None = None
    article_body: str | None = None

    @field_validator("links", "title", "date", "next_page", "article_title", "article_date", "article_body")
    @classmethod
    def _selector_compiles(cls, value: str | None) -> str | None:
        """A typo in a selector fails at start-up, with its line, not deep inside a crawl."""
        if value is None:
            return value
        from parsel import Selector

        probe = Selector(text="<html><body></body></html>")
        is_xpath = value.lstrip().startswith(("/", "("))
        try:
            probe.xpath(value) if is_xpath else probe.css(value)
        except Exception as exc:  # cssselect and lxml raise several error types
            kind = "XPath" if is_xpath else "CSS"
            raise ValueError(f"invalid {kind} selector {value!r}: {exc}") from None
        return value


class ListingSource(_Base):
    kind: Literal["listing"]
    tier: Literal["feeds", "sites", "apis"] = "sites"
    listing: ListingSelectors


class WordPressSource(_Base):
    kind: Literal["wordpress"]
    tier: Literal["feeds", "sites", "apis"] = "sites"
    per_page: int = Field(default=20, ge=1, le=100)


class SitemapSource(_Base):
    kind: Literal["sitemap"]
    tier: Literal["feeds", "sites", "apis"] = "sites"
    url_filter: str | None = None
    max_age_days: int = Field(default=30, ge=1)


class JsonApiFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    list: str
    title: str
    url: str
    date: str | None = None
    text: str | None = None
    id: str | None = None


class JsonApiSource(_Base):
    kind: Literal["json_api"]
    tier: Literal["feeds", "sites", "apis"] = "apis"
    fields: JsonApiFields


class SpiderSource(_Base):
    """A site that needs its own spider module under ``spiders/``."""

    kind: Literal["spider"]
    tier: Literal["feeds", "sites", "apis"] = "sites"


Source = Annotated[
    FeedSource | ListingSource | WordPressSource | SitemapSource | JsonApiSource | SpiderSource,
    Field(discriminator="kind"),
]


class SourcesFile(BaseModel):
    """The whole file. Ids are unique too, but that is checked by ``load_sources`` after
    validation, where the duplicate's own line is known (a model validator only has the top)."""

    model_config = ConfigDict(extra="forbid")
    sources: list[Source] = Field(default_factory=list)


def load_sources(path: Path, base_url: str | None = None) -> list[Source]:
    """Load and validate a sources file; ``base_url`` fills ``{base}`` in demo/test URLs."""
    data, node = load_yaml(path)
    if isinstance(data, dict) and data.get("sources") is None and "sources" in data:
        data["sources"] = []
    parsed = validate_file(path, SourcesFile, data, node)
    ids = ((("sources", i, "id"), src.id) for i, src in enumerate(parsed.sources))
    problems = duplicates(path, data, node, ids, "source id")
    if problems:
        raise ConfigError("\n".join(problems))
    sources = list(parsed.sources)
    if base_url is not None:
        sources = [
            s.model_copy(update={"url": s.url.replace("{base}", base_url.rstrip("/"))}) for s in sources
        ]
    else:
        for src in sources:
            if "{base}" in src.url:
                raise ConfigError(f"{path}: source {src.id}: url uses {{base}} but no base URL was given")
    return sources


class JsonlSource(BaseModel):
    """The source that `policywatch import FILE.jsonl` stores items under."""

    model_config = ConfigDict(extra="forbid")
    id: SourceId = "import"
    kind: Literal["jsonl"] = "jsonl"
    url: str = ""
    name: str = "Imported JSON lines"
    jurisdictions: list[str] = Field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or self.id
