"""The ``dsio evaluate`` command (registered by ``dsio.commands``).

Only click is imported at module level: the command is built on every ``dsio`` call, and
``dsio --help`` must stay fast. numpy, pandas and the engine are imported when it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

#: NAB's profiles, named here so that building the command does not import the scorer
#: (a test checks they match ``dsio.evaluate.nab.PROFILES``).
PROFILE_NAMES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")


@click.command(name="evaluate", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("data", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--detector", "-d", default="gaussian1d", show_default=True, help="Detector to evaluate."
)
@click.option(
    "--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="Detector parameter."
)
@click.option(
    "--labels",
    type=click.Path(dir_okay=False, path_type=Path),
    help="NAB windows file (default: labels/combined_windows.json above DATA).",
)
@click.option("--label-column", metavar="NAME", help="0/1 column marking anomalous rows.")
@click.option("--sensor", metavar="NAME", help="Column to score (default: the only one).")
@click.option(
    "--profile",
    "profiles",
    multiple=True,
    type=click.Choice(PROFILE_NAMES),
    help="NAB profile to report; repeatable (default: all three).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep every series' scores here, in NAB's results layout.",
)
@click.option("--modules", multiple=True, metavar="PATH", help="Python files with detectors.")
@click.option("--verbose", "-v", is_flag=True, help="Also show the figures of every file.")
def evaluate(
    data: Path,
    detector: str,
    params: tuple[str, ...],
    labels: Path | None,
    label_column: str | None,
    sensor: str | None,
    profiles: tuple[str, ...],
    output: Path | None,
    modules: tuple[str, ...],
    verbose: bool,
) -> None:
    """Score a detector against labelled anomalies, NAB-style.

    DATA is a directory of CSV series (searched recursively) or one CSV file. Each series is
    replayed through a fresh detector exactly as 'dsio FILE' would score it; then, per Numenta
    Anomaly Benchmark profile, the threshold that maximises the summed score is found and the
    normalised score reported (0: never fires, 100: every window found on its first row),
    with the half-split score (threshold chosen on alternate files, scored on the others) and
    the score at the detector's own threshold. Labels are NAB windows (--labels) or a 0/1
    column (--label-column, which adds precision, recall and F1).
    """
    from dsio.errors import UsageError
    from dsio.evaluate.evaluation import evaluate_corpus, open_corpus
    from dsio.evaluate.report import per_file, summary
    from dsio.evaluate.results import write_results
    from dsio.params import parse_params
    from dsio.plugins import PluginHost

    if labels is not None and label_column is not None:
        raise UsageError("--labels and --label-column are alternatives; give one")
    host = PluginHost()
    host.load_installed()
    for spec in modules:
        host.load_module(spec)
    entry = host.detectors.get(detector)
    typed = parse_params(params, entry.factory, entry.name)
    corpus = open_corpus(data, labels, label_column)

    stderr = click.get_text_stream("stderr")
    with (
        _sources_quiet_unless(verbose),
        click.progressbar(
            length=len(corpus.files),
            label=f"{entry.name}: replaying {len(corpus.files)} series",
            item_show_func=lambda name: name,
            file=stderr,
        ) as bar,
    ):

        def on_file(series):
            if output is not None:
                write_results(output, entry.name, series)
            bar.update(1, series.file.name)

        evaluation = evaluate_corpus(
            host,
            corpus,
            detector,
            typed,
            sensor=sensor,
            profiles=profiles or PROFILE_NAMES,
            on_file=on_file,
        )
    lines = summary(evaluation) + (per_file(evaluation) if verbose else [])
    click.echo("\n".join(lines))
    if output is not None:
        click.echo(f"dsio: scores written to {output / entry.name}", err=True)


@contextmanager
def _sources_quiet_unless(verbose: bool) -> Iterator[None]:
    """Keep the source's per-file notes (time column, sensors) for ``--verbose``.

    Over a corpus they would bury the progress bar; warnings still show.
    """
    logger = logging.getLogger("dsio.sources")
    level = logger.level
    if not verbose:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
