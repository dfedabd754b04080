"""``python -m dsio`` runs the ``dsio`` command."""

from dsio.cli import main

main()
