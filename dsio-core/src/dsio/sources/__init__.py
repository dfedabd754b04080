"""Sources: where rows come from (CSV files, standard input, pandas DataFrames)."""

from dsio.sources.base import Source, SourceInfo, SourceOptions

__all__ = ["Source", "SourceInfo", "SourceOptions"]
