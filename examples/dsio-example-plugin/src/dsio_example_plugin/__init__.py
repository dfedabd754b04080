"""An example dsio plugin: one detector, registered through the ``dsio`` entry-point group."""

__version__ = "0.1.0"
