from alembic import context
from sqlalchemy.engine import Engine

from kvalitet.storage.db import Base

config = context.config
engine: Engine = config.attributes["engine"]  # set by kvalitet.storage.migrations.alembic_config


def run_migrations_online() -> None:
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if connection.dialect.name == "sqlite":
            # A migration that rebuilds a table turns foreign keys off (0006_rollup); inside its
            # transaction turning them on again is a no-op, so do it here for the pooled connection.
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


run_migrations_online()
