"""`python -m kvalitet.cli` runs the command line (the same as the `kvalitet` script)."""

from kvalitet.cli import app

app()
