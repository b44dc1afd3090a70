"""`python -m staffplan`."""

from staffplan.cli import main

main()
