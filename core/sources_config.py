"""The declarative source list (``sources.yaml``): what to watch and how to fetch it.

One entry per source; ``kind`` picks the fetcher. Feeds are polled by the feed poller,
HTML/API kinds are crawled by the generic Scrapy spiders, ``jsonl`` is the import path.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, HttpUrl, field_validator, model_validator

from core.secrets import register_secret
from core.yamlconf import ConfigError, duplicates, load_yaml, validate_file

SourceId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$")]
EnvVarName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")]


# --------------------------------------------------------------------------- item filters


def check_pattern(value: Any) -> str:
    """A filter pattern: a regular expression that compiles (case-insensitive) and cannot
    backtrack catastrophically (``core.redos``, the guard the rules' patterns pass too)."""
    from core.redos import checked_pattern

    checked_pattern(value)
    return str(value)


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Patterns = Annotated[list[Annotated[str, BeforeValidator(check_pattern)]], BeforeValidator(_one_or_many)]


@functools.lru_cache(maxsize=512)
def compiled_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


class ItemFilter(BaseModel):
    """Patterns (regular expressions, searched case-insensitively) on an item's title, URL or
    categories (feed ``<category>``, a JSON API's ``fields.category``, WordPress terms)."""

    model_config = ConfigDict(extra="forbid")
    title: Patterns = Field(default_factory=list)
    url: Patterns = Field(default_factory=list)
    category: Patterns = Field(default_factory=list)

    def patterns(self) -> list[tuple[str, str]]:
        """(field, pattern) pairs in declaration order."""
        return [(f, p) for f in ("title", "url", "category") for p in getattr(self, f)]

    def __bool__(self) -> bool:
        return bool(self.title or self.url or self.category)


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
    include: ItemFilter | None = None
    """Keep only items that match at least one of these patterns (on the field each is under)."""
    exclude: ItemFilter | None = None
    """Drop items that match any of these patterns."""
    synthetic: bool = False
    """The source's test fixture (``tests/fixtures/sources/<id>.<ext>``) was written by us, in the
    site's format as best we know it, not captured from the site; ``synthetic_reason`` says why.
    ``policywatch sources list`` shows it, so nobody takes the selectors as checked on the site."""
    synthetic_reason: str | None = None

    @model_validator(mode="after")
    def _synthetic_has_a_reason(self) -> Self:
        reason = (self.synthetic_reason or "").strip()
        if self.synthetic and not reason:
            raise ValueError(
                "synthetic: true needs synthetic_reason: why the fixture is not a real capture "
                "(e.g. 'the site blocks automated clients; written from the page as seen in a browser')"
            )
        if reason and not self.synthetic:
            raise ValueError(
                "synthetic_reason is given but synthetic is not true: set synthetic: true or drop it"
            )
        self.synthetic_reason = reason or None
        return self

    @property
    def fixture_origin(self) -> str:
        """``synthetic`` or ``real`` (a trimmed capture of the site): what ``sources list`` shows."""
        return "synthetic" if self.synthetic else "real"

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
        from cssselect import SelectorError
        from parsel import Selector

        probe = Selector(text="<html><body></body></html>")
        is_xpath = value.lstrip().startswith(("/", "("))
        try:
            probe.xpath(value) if is_xpath else probe.css(value)
        except (SelectorError, ValueError) as exc:  # cssselect's errors; parsel's for a bad XPath
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


_DATE_KEYWORDS = ("iso", "epoch", "epoch_ms")


class JsonApiFields(BaseModel):
    """Dotted paths (``attributes.title``, ``items.0.id``) into the response and each record."""

    model_config = ConfigDict(extra="forbid")
    list: str
    title: str
    url: str | None = None
    """The record's public page. Leave it out when ``url_template`` builds the URL."""
    date: str | None = None
    date_format: str | None = None
    """How ``date`` is written: a strptime format (``%d/%m/%Y``, ``%Y-%m-%dT%H:%M:%SZ``), or
    ``iso``, ``epoch`` (seconds) or ``epoch_ms``. Without it dates are guessed (US order for
    slashes). A date with no zone is UTC."""
    text: str | None = None
    id: str | None = None
    category: str | None = None
    """A string or a list of strings per record, for ``include``/``exclude`` filters."""

    @field_validator("date_format")
    @classmethod
    def _format_is_usable(cls, value: str | None) -> str | None:
        if value is None or value in _DATE_KEYWORDS:
            return value
        if "%" not in value:
            raise ValueError(
                f"date_format {value!r} is neither a strptime format (with % codes, e.g. %Y-%m-%d) "
                f"nor one of {', '.join(_DATE_KEYWORDS)}"
            )
        return value


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class JsonApiPagination(BaseModel):
    """How to ask for the next page, bounded by ``max_pages`` (the first page counts).

    ``page``: query parameter ``param`` = start, start+1, ...; ``offset``: ``param`` = start,
    start+size, ...; ``cursor``: ``param`` = the value at dotted path ``cursor`` in the last
    response; ``next_url``: follow the URL at dotted path ``next_url``. Paging stops at an
    empty page, when ``has_more`` (a dotted path to a boolean) is false, when a cursor or next
    URL is missing or repeats, or after ``max_pages``.
    """

    model_config = ConfigDict(extra="forbid")
    type: Literal["page", "offset", "cursor", "next_url"]
    param: str | None = None
    start: int = Field(default=-1, ge=-1)
    size: int | None = Field(default=None, ge=1)
    cursor: str | None = None
    next_url: str | None = None
    has_more: str | None = None
    max_pages: int = Field(default=5, ge=1, le=100)

    @model_validator(mode="after")
    def _complete(self) -> JsonApiPagination:
        if self.type in ("page", "offset", "cursor") and not self.param:
            raise ValueError(f"pagination type {self.type} needs param: the query parameter to set")
        if self.type == "offset" and self.size is None:
            raise ValueError("pagination type offset needs size: how many records one page holds")
        if self.type == "cursor" and not self.cursor:
            raise ValueError("pagination type cursor needs cursor: the dotted path of the next cursor")
        if self.type == "next_url" and not self.next_url:
            raise ValueError("pagination type next_url needs next_url: the dotted path of the next URL")
        if self.start == -1:
            self.start = 1 if self.type == "page" else 0
        return self


class _Keyed(_Base):
    """A source whose requests may carry a key read from the environment (json_api, spider)."""

    params_env: dict[str, EnvVarName] = Field(default_factory=dict)
    """Query parameters whose values are read from environment variables at fetch time
    (``{api_key: REGULATIONS_GOV_KEY}``): a key is never written in sources.yaml, and its
    value is masked in every error, log line and summary."""

    def secret_params(self) -> dict[str, str]:
        """The ``params_env`` values from the environment, registered for masking everywhere.

        Raises MissingSecret (a ConfigError, one line) naming the first variable that is unset."""
        values: dict[str, str] = {}
        for param, var in self.params_env.items():
            value = os.environ.get(var, "")
            if not value.strip():
                raise MissingSecret(
                    f"source {self.id}: environment variable {var} is not set "
                    f"(params_env.{param} in the sources file); export it before fetching this source"
                )
            register_secret(value)
            values[param] = value
        return values


class JsonApiSource(_Keyed):
    kind: Literal["json_api"]
    tier: Literal["feeds", "sites", "apis"] = "apis"
    fields: JsonApiFields
    url_template: str | None = None
    """The public page of a record, from its fields: ``https://www.regulations.gov/document/{id}``
    (each ``{dotted.path}`` is read from the record and URL-quoted)."""
    pagination: JsonApiPagination | None = None

    @field_validator("url_template")
    @classmethod
    def _template_is_a_web_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        names = _PLACEHOLDER.findall(value)
        if not names or not all(n.strip() for n in names):
            raise ValueError("url_template needs at least one {field} placeholder, e.g. {id}")
        probe = _PLACEHOLDER.sub("x", value)
        if "{" in probe or "}" in probe:
            raise ValueError(f"url_template {value!r} has an unbalanced brace")
        if not probe.lower().startswith(("http://", "https://")):
            raise ValueError("url_template must be an absolute http(s) URL")
        HttpUrl(probe)
        return value

    @model_validator(mode="after")
    def _has_a_link(self) -> JsonApiSource:
        if not self.fields.url and not self.url_template:
            raise ValueError("give fields.url (a dotted path to the page URL) or url_template")
        return self


class MissingSecret(ConfigError):
    """An environment variable named in ``params_env`` is not set."""


class SpiderSource(_Keyed):
    """A site that needs its own spider module, ``spiders/spiders/sites/<id>.py`` (scaffolded by
    ``policywatch new-source``), for what no declarative kind can say."""

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
