"""Alembic environment: migrations run programmatically by `reev.store.engine.upgrade_to_head`
on the connection it passes in `config.attributes["connection"]`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from reev.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Migrate on the caller's connection; PostgreSQL serializes concurrent upgrades."""
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` command line with sqlalchemy.url set
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.connect() as conn:
            _migrate(conn)
        return
    _migrate(connection)


def _migrate(connection: object) -> None:
    """All pending revisions in one transaction, begun before the current revision is read.

    Alembic treats SQLite as without transactional DDL and commits after each revision;
    a second process opening the same new database then read a revision in between,
    waited for the write lock and ran a revision already applied (`DROP TABLE … no such
    table`). SQLite's DDL is transactional, and the connection's transaction begins with
    BEGIN IMMEDIATE (`reev.store.engine`), so with `transactional_ddl` the whole upgrade,
    the read of the version included, holds the write lock: the second process waits,
    then finds the database at head."""
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":  # type: ignore[attr-defined]
            connection.execute(text("SELECT pg_advisory_xact_lock(5245455601)"))  # type: ignore[attr-defined]
        context.run_migrations()


run_migrations_online()
