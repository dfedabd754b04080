"""``dsio kibana-export INPUT``: the dashboard a run would import, as a file for manual import.

The sensors are found exactly as a run finds them (dsio's own source reads the input's header
and first rows), so the exported charts match the fields the sink indexes.
"""

from __future__ import annotations

import click


@click.command(name="kibana-export")
@click.argument("input")
@click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    metavar="FILE",
    help="NDJSON file to write; - for standard output.",
)
@click.option("--es-index", metavar="NAME", help="Index name (default: as a run derives it).")
@click.option(
    "--sensors", multiple=True, metavar="NAME", help="Columns to chart (default: as a run)."
)
@click.option("--timefield", help="Name of the time column (default: detected).")
@click.option("--timezone", default="UTC", show_default=True, help="Zone of naive times.")
@click.option("--multivariate", is_flag=True, help="Charts for a multivariate run's scores.")
def kibana_export(
    input: str,
    output: str,
    es_index: str | None,
    sensors: tuple[str, ...],
    timefield: str | None,
    timezone: str,
    multivariate: bool,
) -> None:
    """Write INPUT's Kibana data view, charts and dashboard as NDJSON.

    Import the file in Kibana (Stack Management > Saved objects > Import) or with
    POST /api/saved_objects/_import?overwrite=true; it is what 'dsio --kibana-uri' imports.
    """
    from dsio.plugins import PluginHost
    from dsio.session import open_source
    from dsio.sources.base import SourceOptions
    from dsio.stream import Schema
    from dsio_elastic.index import FieldPlan, index_name_for, validate_index_name
    from dsio_elastic.kibana import saved_objects, to_ndjson

    index = validate_index_name(es_index) if es_index is not None else None
    host = PluginHost()
    host.load_installed()
    wanted = tuple(s for value in sensors for s in value.split(",") if s) or None
    source = open_source(
        host, input, SourceOptions(timefield=timefield, timezone=timezone, sensors=wanted)
    )
    try:
        info = source.open()
    finally:
        source.close()
    schema = Schema(
        source=input,
        name=info.name,
        time_field=info.time_field,
        sensors=info.sensors,
        detector="",
        multivariate=multivariate,
    )
    index = index or index_name_for(info.name)
    objects = saved_objects(index, FieldPlan.for_schema(schema))
    with click.open_file(output, "w", encoding="utf-8") as stream:
        stream.write(to_ndjson(objects))
    if output != "-":
        click.echo(
            f"dsio: wrote {len(objects)} Kibana objects for index {index!r} to {output}", err=True
        )
