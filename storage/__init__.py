"""Persistence: SQLAlchemy models, queries and Alembic migrations. No business rules."""
