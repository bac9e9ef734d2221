"""`csto-index`: the admin's commands to build, update and inspect the search index."""

from __future__ import annotations

import json
import shutil
import signal
from collections import Counter
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TypeVar

import click
from tqdm import tqdm

from indexer import engine
from indexer.building.builder import Report, build, update
from indexer.building.corpus import CleanedFolder, CleanedPage, clean_corpus
from indexer.officials import RegistryError
from indexer.store import DEFAULT_INDEX_DIR, INDEX_ENVIRONMENT, IndexStore, StoreError

T = TypeVar("T")
DEFAULT_RAW = Path("raw")
TOP_PEOPLE = 10

raw_dir_argument = click.argument(
    "raw_dir", required=False, default=DEFAULT_RAW,
    type=click.Path(exists=True, file_okay=False, path_type=Path))
index_option = click.option(
    "--index", "index_dir", default=DEFAULT_INDEX_DIR, envvar=INDEX_ENVIRONMENT,
    show_default=True, type=click.Path(file_okay=False, path_type=Path),
    help=f"Index folder (also {INDEX_ENVIRONMENT}).")


def progress_bar(items: Iterable[T], label: str) -> Iterable[T]:
    total = len(items) if hasattr(items, "__len__") else None  # type: ignore[arg-type]
    return tqdm(items, desc=label, total=total, unit="page", leave=False, disable=None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Build and inspect the search index of the CSTO press-release archive.

    Crawled pages of the site (plain .txt or saved .html, with an optional manifest.jsonl
    giving their URLs) live in a raw folder, ./raw by default. Start with `build`; after
    adding or changing pages, `update` re-indexes only what changed. `extract` shows what the
    cleaner makes of the pages without indexing anything, and `stats` describes the index
    that the web app serves.
    """


wait_option = click.option(
    "--wait", is_flag=True,
    help="If another build or update is running, wait for it instead of stopping.")
shrink_option = click.option(
    "--allow-shrink", is_flag=True,
    help="Publish even if the new index has fewer than half the documents served now "
         "(without it such a build stops: an empty or mistyped folder must not empty the "
         "index).")

memory_option = click.option(
    "--memory-mb", type=click.IntRange(min=16), default=engine.WRITER_MEMORY_MB,
    show_default=True,
    help="Memory for the index writer's buffers, all its processes together (more is "
         "somewhat faster on large folders; the cleaner's own memory is apart).")


def _stop(signal_number: int, _frame: object) -> None:
    raise SystemExit(128 + signal_number)


def _run(command: str, raw_dir: Path, index_dir: Path, wait: bool,
         allow_shrink: bool, memory_mb: int, verify: bool = False) -> Report:
    store = IndexStore(index_dir)
    operation = build if command == "build" else partial(update, verify=verify)
    # Stopped by the system (systemd, a container's shutdown): unwind as on an error, so
    # the unfinished generation and the writer's processes go, and the old index serves.
    signal.signal(signal.SIGTERM, _stop)
    try:
        return operation(raw_dir, store, progress_bar, wait,
                         lambda message: click.echo(message, err=True), allow_shrink,
                         memory_mb)
    except (StoreError, RegistryError) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(
            f"The {command} failed while writing to {index_dir}: {error.strerror or error}. "
            "Nothing was switched: the previous index, if any, is still the one served."
        ) from None


@main.command("build")
@raw_dir_argument
@index_option
@wait_option
@shrink_option
@memory_option
def build_command(raw_dir: Path, index_dir: Path, wait: bool, allow_shrink: bool,
                  memory_mb: int) -> None:
    """Clean every page of RAW_DIR and build a complete new index.

    The new index is written beside the one being served and replaces it in one step at
    the end, so searches never see a half-built index. Pages that cannot be read are
    skipped and listed; all the others are indexed.
    """
    print_report(_run("build", raw_dir, index_dir, wait, allow_shrink, memory_mb))


@main.command("update")
@raw_dir_argument
@index_option
@wait_option
@shrink_option
@memory_option
@click.option("--verify", is_flag=True,
              help="Read and hash every file again, even those whose size and times are "
                   "as they were at the last run (which update otherwise trusts).")
def update_command(raw_dir: Path, index_dir: Path, wait: bool, allow_shrink: bool,
                   memory_mb: int, verify: bool) -> None:
    """Re-index only the pages of RAW_DIR that are new, changed or deleted.

    The result is the index a `build` of RAW_DIR would give, at the cost of what changed:
    what the corpus says about every page (repeated blocks, common words) is counted again,
    and a page is cleaned again only when its file, or that, changed. The cleaner's results
    are kept in INDEX/cleaning-cache.sqlite; after an upgrade of the cleaner or a new
    officials.json every page is cleaned again.
    """
    print_report(_run("update", raw_dir, index_dir, wait, allow_shrink, memory_mb, verify))


@main.command()
@raw_dir_argument
@click.option("--explain", "explain_files", multiple=True, metavar="FILE",
              help="Instead of JSON, show every block of FILE (a page below RAW_DIR; repeat "
                   "the option for more) with the role the cleaner gave it and why. "
                   "--explain all shows every page.")
@click.option("--documents", "as_documents", is_flag=True,
              help="One object per document as indexed (copies of a page merged) instead of "
                   "one per page.")
def extract(raw_dir: Path, explain_files: tuple[str, ...], as_documents: bool) -> None:
    """Print what the cleaner finds in RAW_DIR as JSON Lines; the index is not touched.

    One object per page read, with what the cleaner found on that page: source (file
    relative to RAW_DIR), url, title, date (YYYY-MM-DD or null), year, people (canonical
    names), body (the clean text), kind (article or listing), cut (the copy stops
    mid-article), signature; id is the document the page is indexed in, shared by the
    other saved copies of the same page, which copies lists. With --documents, one object
    per document as indexed (the copies merged: duplicates lists the other files).
    Skipped files are listed on stderr.

    With --explain, the pages are cleaned with the whole folder as their corpus (the sidebar
    is learned from all pages) and shown block by block instead.
    """
    try:
        corpus = clean_corpus(raw_dir, explain=bool(explain_files))
    except RegistryError as error:
        raise click.ClickException(str(error)) from None
    if explain_files:
        _explain(corpus, explain_files)
        return
    rows = ([document.to_json() for document in corpus.documents] if as_documents else
            [page_json(cleaned) for cleaned in corpus.pages])
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False))
    for skipped in corpus.skipped:
        click.echo(f"skipped {skipped.source}: {skipped.reason}", err=True)
    for warning in corpus.warnings:
        click.echo(f"warning: {warning}", err=True)


def _explain(corpus: CleanedFolder, files: tuple[str, ...]) -> None:
    wanted = {Path(name).as_posix().removeprefix("./") for name in files}
    explained = [e for e in corpus.explanations if "all" in wanted or e.source in wanted]
    missing = wanted - {"all"} - {e.source for e in explained}
    for explanation in explained:
        click.echo(explanation.render(shutil.get_terminal_size((100, 20)).columns))
    if missing:
        raise click.ClickException("Not a page of the raw folder (give paths relative to "
                                   "it): " + ", ".join(sorted(missing)))


@main.command()
@index_option
def stats(index_dir: Path) -> None:
    """Describe the index being served: documents, years, people, size and generation."""
    store = IndexStore(index_dir)
    current = store.current()
    if current is None:
        raise click.ClickException(
            f"There is no index in {index_dir}. Build one with `csto-index build`.")
    records = list(engine.stored_documents(current))
    state = store.state()
    years = Counter(str(r["date"].year) if r.get("date") else "no date" for r in records)
    people = Counter(name for r in records for name in r["person"])
    click.echo(f"index:        {index_dir}")
    click.echo(f"generation:   {store.current_name()} (built {state.get('built', '?')})")
    click.echo(f"raw folder:   {state.get('raw_dir', '?')}")
    click.echo(f"documents:    {len(records)}")
    click.echo(f"size on disk: {store.size_bytes() / 1e6:.1f} MB")
    click.echo(f"people:       {len(people)} distinct")
    _print_counts("documents per year", sorted(years.items()))
    _print_counts(f"top {TOP_PEOPLE} people", people.most_common(TOP_PEOPLE))


def _print_counts(heading: str, rows: list[tuple[str, int]]) -> None:
    click.echo(f"{heading}:")
    for label, count in rows:
        click.echo(f"  {label:<32} {count:>6}")


def page_json(cleaned: CleanedPage) -> dict[str, object]:
    """A page's line of `extract`: its own fields, the document's id, its copies."""
    row = cleaned.page.to_json()
    del row["duplicates"]
    return row | {"id": cleaned.document_id, "copies": list(cleaned.copies)}


def print_report(report: Report) -> None:
    if report.up_to_date:
        click.echo(f"Nothing to do: no page in {report.raw_dir} changed since the last build "
                   f"(generation {report.generation}).")
        return
    click.echo(f"{report.command} finished in {report.seconds:.1f} s: "
               f"generation {report.generation} is now served.")
    reused = report.pages_reused
    click.echo(f"pages read:        {report.pages_read} ({report.pages_cleaned} cleaned now"
               + (f", {reused} as in a past run)" if reused else ")"))
    click.echo(f"                   = {report.documents} documents + {report.duplicates_merged} "
               f"copies merged into them + {len(report.skipped)} skipped")
    click.echo(f"pages skipped:     {len(report.skipped)}")
    for skipped in report.skipped:
        click.echo(f"  - {skipped.source}: {skipped.reason}")
    if report.warnings:
        click.echo(f"warnings:          {len(report.warnings)}")
        for warning in report.warnings:
            click.echo(f"  - {warning}")
    click.echo(f"documents:         {report.documents} "
               f"({report.duplicates_merged} duplicate copies merged)")
    click.echo(f"blocks removed:    {report.sidebar_blocks_removed} sidebar, "
               f"{report.footer_blocks_removed} footer")
    click.echo("block roles:       " + ", ".join(
        f"{count} {role}" for role, count in report.roles.most_common()))
    click.echo(f"index changes:     {report.added} added, {report.changed} changed, "
               f"{report.deleted} deleted")
    _print_counts("documents per year", sorted(report.per_year.items()))
    _print_counts(f"top {TOP_PEOPLE} people", report.people.most_common(TOP_PEOPLE))


if __name__ == "__main__":
    main()
