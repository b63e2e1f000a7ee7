"""``python -m accsyn.cli``."""

from accsyn.cli import main

main()
