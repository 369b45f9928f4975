"""Real faults for tests of what a visitor still gets when a part fails."""

from contextlib import contextmanager

from capture.extensions import db


@contextmanager
def table_away(app, table: str):
    """`table` renamed for the block (a real database error for whatever uses
    it, not a stand-in), and back afterwards."""
    with app.app_context():
        db.session.execute(db.text(f"ALTER TABLE {table} RENAME TO {table}_away"))
        db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            db.session.execute(db.text(f"ALTER TABLE {table}_away RENAME TO {table}"))
            db.session.commit()
