"""`csto-search`: serve the search pages and the JSON API.

`serve` has an option for every field of `search_app.settings.Settings` (and reads
CSTO_<NAME> from the environment for it); the settings build the app and the HTTP protocol
in this process, and reach the worker processes of `--workers` with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, Field, fields, replace
from functools import partial
from pathlib import Path
from typing import Any

import click
import uvicorn
from uvicorn.supervisors import Multiprocess

from indexer.store import IndexStore
from indexer.synonyms import SynonymsError, load_synonyms
from search_app.app import create_app
from search_app.protocol import GuardedH11Protocol
from search_app.settings import Settings, environment_name


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Serve the CSTO archive search over an index built by `csto-index build`."""


def _option(item: Field[Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The command-line option of one setting."""
    meta, kind = item.metadata, str(item.type)
    name = (meta["option"] or item.name).replace("_", "-")
    default = item.default if item.default is not MISSING else None
    low, high = meta["low"], meta["high"]
    help_text = f"{meta['help']} (also {environment_name(item.name, meta['option'])})"
    if kind.startswith("bool"):
        return click.option(f"--{name}/--no-{name}", item.name, default=default,
                            show_default=True, help=help_text)
    click_type: Any = str
    if "Path" in kind:
        click_type = click.Path(path_type=Path)
    elif kind.startswith("int"):
        click_type = click.IntRange(low, high)
    elif kind.startswith("float"):
        click_type = click.FloatRange(low, high)
    return click.option(f"--{name}", item.name, type=click_type, default=default,
                        envvar=environment_name(item.name, meta["option"]),
                        show_default=default is not None, help=help_text)


def _settings_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for item in reversed(fields(Settings)):
        command = _option(item)(command)
    return command


@main.command()
@_settings_options
def serve(**values: Any) -> None:
    """Start the web server. It follows `csto-index build`/`update` without a restart, and
    starts without an index too (answering 503 "no index yet" until one is built)."""
    settings = _checked(Settings(**values))
    click.echo(f"Serving {settings.index_dir} at http://{settings.host}:{settings.port}/ "
               "(Ctrl+C stops)")
    # The app is made in each server process, from the settings (picklable: they reach the
    # worker processes that uvicorn starts).
    config = uvicorn.Config(partial(create_app, settings), factory=True, host=settings.host,
                            port=settings.port, workers=settings.workers, log_level="warning",
                            access_log=False, timeout_keep_alive=settings.timeout_keep_alive,
                            http=partial(GuardedH11Protocol,
                                         limits=settings.connection_limits))
    server = uvicorn.Server(config)
    if settings.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        server.run()


def _checked(settings: Settings) -> Settings:
    """The settings as served: files that must be readable read, paths made absolute."""
    if IndexStore(settings.index_dir).current() is None:
        click.echo(f"There is no index in {settings.index_dir} yet: requests get 503 until "
                   f"`csto-index build RAW --index {settings.index_dir}` makes one.", err=True)
    synonyms = settings.synonyms_file
    if synonyms is not None:
        try:
            load_synonyms(synonyms)
        except SynonymsError as error:
            raise click.ClickException(str(error)) from None
        synonyms = synonyms.resolve()
    base_url = settings.base_url
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise click.ClickException("--base-url must start with http:// or https://")
    # Absolute, not resolved: an index folder that is a link is followed at every request,
    # so pointing the link at another index is seen.
    return replace(settings, index_dir=settings.index_dir.absolute(), synonyms_file=synonyms)


if __name__ == "__main__":
    main()
