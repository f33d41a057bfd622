"""The ``sopbot`` command line: one module per command, wired together in ``app``."""
