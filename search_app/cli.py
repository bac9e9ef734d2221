"""`csto-search`: serve the search pages and the JSON API."""

from __future__ import annotations

import os
from pathlib import Path

import click
import uvicorn

from indexer.engine import CACHE_MB
from indexer.store import IndexStore
from indexer.synonyms import SynonymsError, load_synonyms
from search_app.protocol import GuardedH11Protocol, default_max_connections


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Serve the CSTO archive search over an index built by `csto-index build`."""


@main.command()
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
              default=lambda: os.environ.get("CSTO_INDEX", "index"), show_default="index",
              help="Index folder (also CSTO_INDEX).")
@click.option("--host", default=lambda: os.environ.get("CSTO_HOST", "127.0.0.1"),
              show_default="127.0.0.1", help="Address to listen on (also CSTO_HOST).")
@click.option("--port", type=int, default=lambda: int(os.environ.get("CSTO_PORT", "8000")),
              show_default="8000", help="Port (also CSTO_PORT).")
@click.option("--workers", type=click.IntRange(1, 64),
              default=lambda: int(os.environ.get("CSTO_WORKERS", "1")), show_default="1",
              help="Server processes (also CSTO_WORKERS); each answers one search at a time.")
@click.option("--cache-mb", type=click.FloatRange(0), show_default=str(CACHE_MB),
              default=lambda: float(os.environ.get("CSTO_CACHE_MB", CACHE_MB)),
              help="Memory per server process for decoded posting lists (also CSTO_CACHE_MB).")
@click.option("--synonyms", "synonyms_file",
              type=click.Path(dir_okay=False, path_type=Path),
              default=lambda: os.environ.get("CSTO_SYNONYMS"),
              help="An admin's synonyms.json, added to the packaged synonyms (also "
                   "CSTO_SYNONYMS; default: synonyms.json in the raw folder of the index). "
                   "Re-read when it changes.")
@click.option("--base-url", default=lambda: os.environ.get("CSTO_BASE_URL"),
              help="The site's public address (https://search.example.org), for absolute "
                   "links in feeds (also CSTO_BASE_URL); without it they follow the request.")
@click.option("--timeout-keep-alive", type=click.IntRange(1, 600), default=5, show_default=True,
              help="Seconds an idle keep-alive connection stays open.")
@click.option("--header-timeout", type=click.FloatRange(0.1, 600), default=10.0,
              show_default=True, help="Seconds a connection has to send a whole request.")
@click.option("--limit-concurrency", type=click.IntRange(1), default=200, show_default=True,
              help="Requests answered at once; past it, 503 (per process; open connections "
                   "that send nothing do not count).")
@click.option("--max-exports", type=click.IntRange(1), default=4, show_default=True,
              help="CSV and JSON Lines downloads sent at once; past it, 503 (per process).")
@click.option("--export-timeout", type=click.FloatRange(0.1, 3600), default=30.0,
              show_default=True,
              help="Seconds a download may wait for a client that stopped reading.")
@click.option("--max-connections", type=click.IntRange(1), default=None,
              help="Open connections past which new ones are closed at once (per process; "
                   "default: most of the file descriptors the process may open).")
def serve(index_dir: Path, host: str, port: int, workers: int, cache_mb: float,
          synonyms_file: Path | None, base_url: str | None, timeout_keep_alive: int,
          header_timeout: float, limit_concurrency: int, max_exports: int,
          export_timeout: float, max_connections: int | None) -> None:
    """Start the web server. It follows `csto-index build`/`update` without a restart, and
    starts without an index too (answering 503 "no index yet" until one is built)."""
    if IndexStore(index_dir).current() is None:
        click.echo(f"There is no index in {index_dir} yet: requests get 503 until "
                   f"`csto-index build RAW --index {index_dir}` makes one.", err=True)
    if synonyms_file is not None:
        try:
            load_synonyms(synonyms_file)
        except SynonymsError as error:
            raise click.ClickException(str(error)) from None
        os.environ["CSTO_SYNONYMS"] = str(synonyms_file.resolve())
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise click.ClickException("--base-url must start with http:// or https://")
    # Absolute, not resolved: an index folder that is a link is followed at every request,
    # so pointing the link at another index is seen.
    os.environ["CSTO_INDEX"] = str(index_dir.absolute())
    os.environ["CSTO_CACHE_MB"] = str(cache_mb)
    os.environ["CSTO_HEADER_TIMEOUT"] = str(header_timeout)
    os.environ["CSTO_MAX_CONNECTIONS"] = str(max_connections or default_max_connections())
    os.environ["CSTO_LIMIT_CONCURRENCY"] = str(limit_concurrency)
    os.environ["CSTO_MAX_EXPORTS"] = str(max_exports)
    os.environ["CSTO_EXPORT_TIMEOUT"] = str(export_timeout)
    if base_url:
        os.environ["CSTO_BASE_URL"] = base_url
    click.echo(f"Serving {index_dir} at http://{host}:{port}/ (Ctrl+C stops)")
    uvicorn.run("search_app.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="warning", access_log=False,
                http=GuardedH11Protocol, timeout_keep_alive=timeout_keep_alive)


if __name__ == "__main__":
    main()
