"""The errors a user can cause, each shown as one line on stderr with a distinct exit code.

Anything that is the user's mistake (a bad file, an unknown name, a broken ``--modules`` file)
raises a :class:`DsioError`; the CLI prints ``dsio: error: <message>`` and exits with
``exit_code``. Any other exception is a bug in dsio or a plugin and keeps its traceback.
"""

from __future__ import annotations


class DsioError(Exception):
    """A problem the user can fix; the message names the file, column, line or option."""

    exit_code = 1


class InputError(DsioError):
    """The input data cannot be read as asked (file, time column, sensors)."""

    exit_code = 2


class UsageError(DsioError):
    """An option, name or parameter given on the command line is not valid."""

    exit_code = 2


class PluginError(DsioError):
    """A plugin or ``--modules`` file failed to load or misbehaved."""

    exit_code = 3


class DetectorError(DsioError):
    """A detector raised or returned something that breaks the contract during a run."""

    exit_code = 4


class SinkError(DsioError):
    """A sink could not deliver the rows it was given."""

    exit_code = 5
