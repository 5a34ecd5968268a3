"""arbot: a self-hosted accounts-receivable collections bot."""

__version__ = "0.1.0"
