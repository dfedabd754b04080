"""A --modules file that fails while it is imported."""

LIMIT = 1 / 0
