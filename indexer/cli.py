"""`csto-index`: the admin's commands to build, update and inspect the search index."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from indexer.pipeline import clean_corpus

DEFAULT_RAW = Path("raw")


def _raw_dir_argument(function):  # type: ignore[no-untyped-def]
    return click.argument(
        "raw_dir", required=False, default=DEFAULT_RAW,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Build and inspect the search index of the CSTO press-release archive.

    Pages crawled from the site (plain .txt or saved .html) live in a raw folder (default:
    ./raw). `build` cleans them and writes a fresh index; `update` re-indexes only what
    changed; `extract` shows what the cleaner makes of the pages without indexing; `stats`
    describes the index that is being served.
    """


@main.command()
@_raw_dir_argument
def extract(raw_dir: Path) -> None:
    """Print the cleaned documents of RAW_DIR as JSON Lines, without touching the index.

    One object per document: source, duplicates, url, title, date (YYYY-MM-DD or null),
    year, people (canonical names) and body (clean text).
    """
    corpus = clean_corpus(raw_dir)
    for document in corpus.documents:
        click.echo(json.dumps(document.to_json(), ensure_ascii=False))
    for skipped in corpus.skipped:
        click.echo(f"skipped {skipped.source}: {skipped.reason}", err=True)
    for warning in corpus.warnings:
        click.echo(f"warning: {warning}", err=True)


if __name__ == "__main__":
    sys.exit(main())
