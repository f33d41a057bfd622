"""The durable engine: runs advance only by claiming due work from the database."""
