"""free-text search index for the lead list

Revision ID: 014e38477f19
Revises: edaaef0ccd52
Create Date: 2026-11-22 16:20:48.671290

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '014e38477f19'
down_revision = 'edaaef0ccd52'
branch_labels = None
depends_on = None


# SQLite: an FTS5 index with the trigram tokenizer over name, company and
# e-mail, kept in step with `leads` by triggers; it answers substring
# searches of 3+ characters without reading every lead.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE lead_search USING fts5("
    "name, company, email_key, content='leads', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER lead_search_insert AFTER INSERT ON leads BEGIN"
    " INSERT INTO lead_search(rowid, name, company, email_key)"
    " VALUES (new.id, new.name, new.company, new.email_key); END",
    "CREATE TRIGGER lead_search_delete AFTER DELETE ON leads BEGIN"
    " INSERT INTO lead_search(lead_search, rowid, name, company, email_key)"
    " VALUES ('delete', old.id, old.name, old.company, old.email_key); END",
    "CREATE TRIGGER lead_search_update AFTER UPDATE OF name, company, email_key ON leads BEGIN"
    " INSERT INTO lead_search(lead_search, rowid, name, company, email_key)"
    " VALUES ('delete', old.id, old.name, old.company, old.email_key);"
    " INSERT INTO lead_search(rowid, name, company, email_key)"
    " VALUES (new.id, new.name, new.company, new.email_key); END",
    "INSERT INTO lead_search(lead_search) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS lead_search_update",
    "DROP TRIGGER IF EXISTS lead_search_delete",
    "DROP TRIGGER IF EXISTS lead_search_insert",
    "DROP TABLE IF EXISTS lead_search",
]
# PostgreSQL: a trigram GIN index on the same text, used by ILIKE '%...%'.
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_leads_search_trgm ON leads USING gin ("
    "(lower(name || ' ' || company || ' ' || email_key)) gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_leads_search_trgm"]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRES_UP)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWN)
