"""Every setting of the server in one table, each with its default and its help, as
Datasette's settings are.

`Settings` is the table: `csto-search serve` makes an option of each field (and reads
`CSTO_<NAME>` from the environment for it), `create_app(settings)` builds the app with
them, and the engine's search limits and the HTTP protocol's connection limits are made
from them. Tests build `Settings` with their own values.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from indexer.engine import CACHE_MB, SearchLimits
from indexer.store import DEFAULT_INDEX_DIR
from search_app.protocol import ConnectionLimits, default_max_connections

ENVIRONMENT_PREFIX = "CSTO_"


def setting(default: Any, help: str, low: float | None = None, high: float | None = None,
            option: str | None = None) -> Any:
    """A field of the table: its default, what it does, the range of its values, and its
    command-line option when that is not --<name> (with dashes)."""
    return field(default=default, metadata={"help": help, "low": low, "high": high,
                                            "option": option})


@dataclass(frozen=True)
class Settings:
    # Where and how it serves.
    index_dir: Path = setting(DEFAULT_INDEX_DIR, "Index folder (a link to one is followed).",
                              option="index")
    host: str = setting("127.0.0.1", "Address to listen on.")
    port: int = setting(8000, "Port.", 0, 65535)
    workers: int = setting(1, "Server processes; each answers one search at a time.", 1, 64)
    cache_mb: float = setting(CACHE_MB, "Memory per server process for decoded posting "
                                        "lists.", 0)
    synonyms_file: Path | None = setting(
        None, "An admin's synonyms.json, added to the packaged synonyms (default: "
              "synonyms.json in the raw folder of the index); re-read when it changes.",
        option="synonyms")
    base_url: str | None = setting(
        None, "The site's public address (https://search.example.org), for absolute links in "
              "feeds; without it they follow the address the request came to.")
    warm: bool = setting(True, "Warm an index before serving it: at start, and a new "
                               "generation in the background before switching to it.")
    # What pages show.
    page_size: int = setting(10, "Results per page, unless the request says.", 1, 1000)
    max_page_size: int = setting(50, "Results per page a request may ask for.", 1, 1000)
    max_page: int = setting(1000, "The last page of results a request may ask for.", 1)
    feed_size: int = setting(20, "Entries of a feed.", 1, 1000)
    facet_values_shown: int = setting(12, "Values of each facet listed.", 1, 1000)
    # Limits of one request.
    max_query_chars: int = setting(500, "Characters of a query.", 1, 100_000)
    max_nesting: int = setting(8, "Levels of parentheses in a query.", 1, 100)
    max_expansions: int = setting(512, "Words one prefix, wildcard or range may stand for.",
                                  1, 1_000_000)
    facet_seconds: float = setting(0.25, "Seconds for counting facet values; past them the "
                                         "counts are partial.", 0.001, 60)
    max_filter_values: int = setting(20, "Values of one facet chosen at once.", 1, 1000)
    max_parameters: int = setting(60, "Parameters of a search's address (every link of its "
                                      "page repeats them).", 1, 10_000)
    max_suggest_chars: int = setting(100, "Characters of what is being typed, for "
                                          "suggestions.", 1, 10_000)
    export_cap: int = setting(10_000, "Documents of one export (CSV, JSON Lines, RIS, "
                                      "BibTeX).", 1, 10_000_000)
    # Limits of the server: per process.
    limit_concurrency: int = setting(200, "Requests answered at once; past it, 503 (open "
                                          "connections that send nothing do not count).", 1)
    max_exports: int = setting(4, "Downloads sent at once; past it, 503.", 1)
    export_timeout: float = setting(30.0, "Seconds a download may wait for a client that "
                                          "stopped reading.", 0.1, 3600)
    timeout_keep_alive: int = setting(5, "Seconds an idle keep-alive connection stays open.",
                                      1, 600)
    header_timeout: float = setting(10.0, "Seconds a connection has to send a whole request.",
                                    0.1, 600)
    max_connections: int | None = setting(
        None, "Open connections past which the oldest waiting one is closed (default: most "
              "of the file descriptors the process may open).", 1)

    @property
    def search_limits(self) -> SearchLimits:
        return SearchLimits(self.max_query_chars, self.max_nesting, self.max_expansions,
                            self.facet_seconds)

    @property
    def connection_limits(self) -> ConnectionLimits:
        return ConnectionLimits(self.header_timeout,
                                self.max_connections or default_max_connections())

    @classmethod
    def from_environment(cls) -> Settings:
        """Settings from CSTO_<NAME> environment variables (CSTO_INDEX, CSTO_PAGE_SIZE, ...),
        for a server started without the CLI (`uvicorn --factory
        search_app.app:app_from_environment`)."""
        values = {}
        for item in fields(cls):
            raw = os.environ.get(environment_name(item.name, item.metadata["option"]))
            if raw:
                values[item.name] = parse_value(item.type, raw)
        return cls(**values)


def environment_name(name: str, option: str | None) -> str:
    return ENVIRONMENT_PREFIX + (option or name).upper()


def parse_value(kind: Any, raw: str) -> Any:
    """A setting's value from its text, by the field's type (written as a string)."""
    kind = str(kind)
    if "Path" in kind:
        return Path(raw)
    if kind.startswith("bool"):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind.startswith("int"):
        return int(raw)
    if kind.startswith("float"):
        return float(raw)
    return raw
