"""river's online anomaly detectors as dsio detectors (the ``dsio-detectors-river`` plugin).

Importing this package does not import river: that happens when a detector is built.
"""

__version__ = "0.1.0"
