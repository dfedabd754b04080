"""The ``dsio`` command: ``dsio [OPTIONS] INPUT`` replays a stream; sub-commands inspect plugins.

Installed plugins are loaded before the command line is parsed, because sinks contribute their
own options (``--bokeh-port`` belongs to dsio-bokeh, ``--es-uri`` to dsio-elastic). A user error
is one line on stderr and a non-zero exit code; ``--verbose`` adds the traceback.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
import traceback
from collections.abc import Collection, Sequence
from typing import Any

import click

from dsio import __version__
from dsio.errors import DsioError, UsageError
from dsio.plugins import PluginHost

log = logging.getLogger(__name__)

#: Options that belong to first-party plugins: used without the plugin, they get an install hint.
PLUGIN_OPTIONS = {
    "--es": "dsio-elastic",
    "--es-uri": "dsio-elastic",
    "--es-index": "dsio-elastic",
    "--es-recreate": "dsio-elastic",
    "--es-api-key": "dsio-elastic",
    "--es-ca-certs": "dsio-elastic",
    "--es-timeout": "dsio-elastic",
    "--kibana-uri": "dsio-elastic",
    "--bokeh-port": "dsio-bokeh",
    "--bokeh-host": "dsio-bokeh",
    "--bind": "dsio-bokeh",
    "--bokeh-origin": "dsio-bokeh",
    "--cols": "dsio-bokeh",
    "--window": "dsio-bokeh",
}
#: Options that take several values (``--sensors a b``), as in the seed's argparse interface.
MULTI_VALUE_OPTIONS = ("--sensors", "--modules")
INTERRUPTED_EXIT_CODE = 130


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``dsio`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = any(a in ("-v", "--verbose") for a in args)
    _configure_logging(verbose)
    # `kill`, `docker stop` and systemd send SIGTERM: stop as cleanly as after Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        host = PluginHost()
        host.load_installed()
        cli = build_cli(host)
        cli.main(args=args, prog_name="dsio", standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(INTERRUPTED_EXIT_CODE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except DsioError as exc:
        if verbose:
            traceback.print_exc()
        click.echo(f"dsio: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("dsio: interrupted", err=True)
        sys.exit(INTERRUPTED_EXIT_CODE)


class _DsioFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        level = "" if record.levelno <= logging.INFO else f"{record.levelname.lower()}: "
        return f"dsio: {level}{record.getMessage()}"


class _OwnInfo(logging.Filter):
    """INFO from dsio and its plugins, only warnings and worse from other libraries."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name.startswith("dsio")


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_DsioFormatter())
    if not verbose:
        handler.addFilter(_OwnInfo())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if not verbose:  # its per-retry warnings repeat what the Elasticsearch sink reports once
        logging.getLogger("elastic_transport").setLevel(logging.ERROR)


class DsioGroup(click.Group):
    """``dsio INPUT`` means ``dsio run INPUT`` (the seed's interface); sub-commands sit beside."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


class RunCommand(click.Command):
    """The replay command; accepts the seed's space-separated ``--sensors a b`` lists."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        taking_values = {
            name
            for param in self.params
            if isinstance(param, click.Option) and not param.is_flag
            for name in param.opts
        }
        try:
            return super().parse_args(ctx, _expand_multi_values(args, taking_values))
        except click.NoSuchOption as exc:
            package = PLUGIN_OPTIONS.get(exc.option_name)
            if package:
                raise UsageError(
                    f"option {exc.option_name} needs the {package} plugin: pip install {package}"
                ) from None
            raise


def _expand_multi_values(args: list[str], taking_values: Collection[str]) -> list[str]:
    """Rewrite ``--sensors a b c INPUT`` as ``--sensors a --sensors b --sensors c INPUT``.

    Values run until the next option. If that leaves no positional argument, the last value is
    the input, as in ``dsio --sensors speed rpm data.csv``. ``taking_values`` names every option
    that takes a value (plugins' too), so that their values are not mistaken for the input.
    """
    out: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        name, eq, inline = token.partition("=")
        if name in MULTI_VALUE_OPTIONS:
            values = [inline] if eq else []
            i += 1
            while i < len(args) and not (args[i].startswith("-") and args[i] != "-"):
                values.append(args[i])
                i += 1
            for value in values:
                out += [name, value]
            continue
        out.append(token)
        i += 1
    if not _has_positional(out, taking_values):
        for index in range(len(out) - 1, 0, -1):
            if out[index - 1] in MULTI_VALUE_OPTIONS:
                positional = out[index]
                del out[index - 1 : index + 1]
                out.append(positional)
                break
    return out


def _has_positional(args: list[str], taking_values: Collection[str]) -> bool:
    """True if ``args`` has a token that is neither an option nor an option's value."""
    skip = False
    for token in args:
        if skip:
            skip = False
            continue
        if token == "-" or not token.startswith("-"):
            return True
        skip = token in taking_values
    return False


def build_cli(host: PluginHost) -> click.Group:
    """The click command tree, with the options of every loaded sink and plugin commands."""
    group = DsioGroup(
        name="dsio",
        help="Real-time anomaly detection on streams of sensor data.\n\n"
        "dsio [OPTIONS] INPUT replays INPUT (a CSV file, or - for standard input) through an "
        "anomaly detector into the installed sinks; see 'dsio run --help'.",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    group.params.append(
        click.Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_print_version,
            help="Show the version and exit.",
        )
    )
    group.add_command(_run_command(host))
    group.add_command(_plugins_command(host))
    group.add_command(_detectors_command(host))
    for entry in host.commands:
        group.add_command(entry.factory, name=entry.name)
    return group


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"dsio {__version__}")
        ctx.exit()


def _run_command(host: PluginHost) -> click.Command:
    params: list[click.Parameter] = [
        click.Argument(["input"]),
        click.Option(
            ["--detector", "-d"],
            default="gaussian1d",
            show_default=True,
            help="Detector name (see 'dsio detectors'); plugin:name picks one plugin's.",
        ),
        click.Option(
            ["--param", "-p", "params"],
            multiple=True,
            metavar="KEY=VALUE",
            help="Detector parameter, typed from its constructor; repeatable.",
        ),
        click.Option(
            ["--sensors"],
            multiple=True,
            metavar="NAME...",
            help="Columns to score (default: every numeric column).",
        ),
        click.Option(["--timefield"], help="Name of the time column (default: detected)."),
        click.Option(
            ["--timezone"],
            default="UTC",
            show_default=True,
            help="Zone of times without an offset in the input, and of dashboards.",
        ),
        click.Option(
            ["--speed"],
            type=click.FloatRange(min=0),
            default=1.0,
            show_default=True,
            help="Replay at N times real time; 0 runs as fast as possible.",
        ),
        click.Option(
            ["--modules"],
            multiple=True,
            metavar="PATH...",
            help="Python files or dotted modules with detectors or hooks; repeatable.",
        ),
        click.Option(
            ["--multivariate"],
            is_flag=True,
            help="One model over all sensors of a row (detectors that support it).",
        ),
        click.Option(["--no-browser"], is_flag=True, help="Do not open a browser on dashboards."),
        click.Option(["--verbose", "-v"], is_flag=True, help="Debug logging and tracebacks."),
    ]
    taken = {opt for p in params for opt in getattr(p, "opts", [])}
    for entry in host.sinks:
        for option in entry.factory.cli_options():
            clash = taken.intersection(option.opts)
            if clash:
                log.warning(
                    "sink %s: option %s is already defined; ignored",
                    entry.qualified_name,
                    ", ".join(sorted(clash)),
                )
                continue
            taken.update(option.opts)
            params.append(option)
    if "--no-bokeh" not in taken:  # scripts pass it whether or not dsio-bokeh is installed
        params.append(click.Option(["--no-bokeh"], is_flag=True, hidden=True))

    def callback(**options: Any) -> None:
        _run(host, options)

    return RunCommand(
        name="run",
        params=params,
        callback=callback,
        help="Score INPUT (a CSV file, or - for standard input) and replay it into the sinks.",
        short_help="Score INPUT and replay it into the sinks (the default command).",
        context_settings={"help_option_names": ["-h", "--help"]},
    )


def _run(host: PluginHost, options: dict[str, Any]) -> None:
    from dsio.session import RunRequest, start_run

    if options.get("quiet"):
        logging.getLogger().setLevel(logging.WARNING)
    for spec in options["modules"]:
        host.load_module(spec)
    options["notebook"] = False
    request = RunRequest.from_options(options)
    prepared = start_run(host, request, options)
    summary = prepared.execute()
    for sink in prepared.sinks:
        line = None if options.get("quiet") else sink.summary()
        if line:
            click.echo(f"dsio: {line}", err=True)
    if summary.interrupted:
        for sink in prepared.sinks:
            sink.stop()
        click.echo(f"dsio: interrupted after {summary.rows:,} rows", err=True)
        sys.exit(INTERRUPTED_EXIT_CODE)
    serving = [sink for sink in prepared.sinks if sink.serving]
    if serving:
        click.echo("dsio: the stream has ended; dashboards stay up until Ctrl-C", err=True)
        try:
            while True:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for sink in serving:
                sink.stop()


def _plugins_command(host: PluginHost) -> click.Command:
    @click.command(name="plugins", short_help="List plugins and what each contributes.")
    def plugins() -> None:
        """List plugins with their version or path and what each contributes."""
        for record in host.records.values():
            click.echo(f"{record.name}  ({record.origin})  {record.status}")
            if record.error:
                click.echo(f"    error: {record.error}")
            for kind, names in record.contributes.items():
                click.echo(f"    {kind}: {', '.join(names)}")

    return plugins


def _detectors_command(host: PluginHost) -> click.Command:
    @click.command(name="detectors", short_help="List detectors and their parameters.")
    @click.option("--modules", multiple=True, help="Also load detectors from these files.")
    def detectors(modules: tuple[str, ...]) -> None:
        """List detectors with a one-line description and their parameters."""
        from dsio.params import parameters
        from dsio.registry import describe

        for spec in modules:
            host.load_module(spec)
        for entry in sorted(host.detectors, key=lambda e: e.name.lower()):
            aliases = f" (aliases: {', '.join(entry.aliases)})" if entry.aliases else ""
            click.echo(f"{entry.name}  [{entry.plugin}]{aliases}")
            click.echo(f"    {describe(entry.factory) or 'no description'}")
            shown = [
                f"{name}={p.default!r}" if p.default is not p.empty else name
                for name, p in parameters(entry.factory).items()
            ]
            if shown:
                click.echo(f"    parameters: {', '.join(shown)}")

    return detectors
