"""Alembic environment: runs the migrations on the connection that ``Database.upgrade`` hands over.

There is no alembic.ini: the studio's database URL comes from the studio, not from a file here.
"""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through greenlight.store.db.Database.upgrade()")

context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
