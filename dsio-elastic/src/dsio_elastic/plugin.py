"""What dsio-elastic contributes to dsio: the ``elastic`` sink and ``dsio kibana-export``.

Hook implementations only; the Elasticsearch client is imported when a run uses the sink.
"""

from dsio import hookimpl


@hookimpl
def dsio_register_sinks(register):
    from dsio_elastic.sink import ElasticSink

    register(ElasticSink, name="elastic", aliases=("elasticsearch",))


@hookimpl
def dsio_register_commands(register):
    from dsio_elastic.command import kibana_export

    register(kibana_export, name="kibana-export")
