"""Settings of the web app, from arguments or from CSTO_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from indexer.engine import CACHE_MB


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path("index")
    page_size: int = 10
    max_page_size: int = 50
    max_page: int = 1000
    feed_size: int = 20
    facet_values_shown: int = 12
    cache_mb: float = CACHE_MB  # posting lists kept decoded, per server process
    # An admin's synonyms, added to the packaged ones; by default synonyms.json in the raw
    # folder the served index was built from. Re-read when it changes: no restart needed.
    synonyms_file: Path | None = None
    # The public address of the site ("https://search.example.org"), for absolute links in
    # feeds; without it they follow the address the request came to.
    base_url: str | None = None
    # Warm the index before serving it: at start (its most frequent terms), and a new
    # generation in the background before switching to it (tests that need the switch on
    # the very next request turn it off).
    warm: bool = True
    # Requests answered at once by one server process; past it, 503 (idle connections do
    # not count).
    limit_concurrency: int = 200
    # Exports (CSV, JSON Lines) streamed at once by one process, and how long a send to a
    # client that stopped reading may wait before the export is dropped.
    max_exports: int = 4
    export_send_timeout: float = 30.0

    @classmethod
    def from_environment(cls) -> Settings:
        """CSTO_INDEX (index folder), CSTO_PAGE_SIZE (results per page), CSTO_CACHE_MB
        (memory for decoded posting lists), CSTO_SYNONYMS (an admin's synonyms file) and
        CSTO_BASE_URL (the site's public address, for feed links)."""
        synonyms = os.environ.get("CSTO_SYNONYMS")
        return cls(index_dir=Path(os.environ.get("CSTO_INDEX", "index")),
                   page_size=int(os.environ.get("CSTO_PAGE_SIZE", "10")),
                   cache_mb=float(os.environ.get("CSTO_CACHE_MB", CACHE_MB)),
                   synonyms_file=Path(synonyms) if synonyms else None,
                   limit_concurrency=int(os.environ.get("CSTO_LIMIT_CONCURRENCY", "200")),
                   max_exports=int(os.environ.get("CSTO_MAX_EXPORTS", "4")),
                   export_send_timeout=float(os.environ.get("CSTO_EXPORT_TIMEOUT", "30")),
                   base_url=os.environ.get("CSTO_BASE_URL") or None)
