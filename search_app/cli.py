"""`csto-search`: serve the search pages and the JSON API."""

from __future__ import annotations

import os
from pathlib import Path

import click
import uvicorn

from indexer.engine import CACHE_MB
from indexer.store import IndexStore
from indexer.synonyms import SynonymsError, load_synonyms


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
def serve(index_dir: Path, host: str, port: int, workers: int, cache_mb: float,
          synonyms_file: Path | None) -> None:
    """Start the web server. It follows `csto-index build`/`update` without a restart."""
    if IndexStore(index_dir).current() is None:
        raise click.ClickException(
            f"There is no index in {index_dir}. Build one first with: "
            f"csto-index build raw --index {index_dir}")
    if synonyms_file is not None:
        try:
            load_synonyms(synonyms_file)
        except SynonymsError as error:
            raise click.ClickException(str(error)) from None
        os.environ["CSTO_SYNONYMS"] = str(synonyms_file.resolve())
    os.environ["CSTO_INDEX"] = str(index_dir.resolve())
    os.environ["CSTO_CACHE_MB"] = str(cache_mb)
    click.echo(f"Serving {index_dir} at http://{host}:{port}/ (Ctrl+C stops)")
    uvicorn.run("search_app.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
