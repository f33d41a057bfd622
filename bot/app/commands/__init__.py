"""The ``/sop`` command language, shared by the Slack surface and the local console."""
