"""sopbot: standard operating procedures that run themselves."""

__version__ = "0.1.0"
