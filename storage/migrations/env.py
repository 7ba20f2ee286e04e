"""Alembic environment: runs on the connection `storage.db.migrate` passes in (never from a .ini URL)."""

from __future__ import annotations

from alembic import context

from storage.db import include_object
from storage.schema import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    """Run the migrations on the connection given in config.attributes['connection']."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("storage migrations run through storage.db.migrate(engine), not the alembic CLI")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
