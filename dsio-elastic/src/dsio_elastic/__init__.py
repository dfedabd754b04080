"""dsio-elastic: index dsio's scored streams into Elasticsearch, with a live Kibana dashboard."""

__version__ = "0.1.0"
