"""Free-text search over leads' name, company and e-mail, served by an index.

The index is database-specific and made by a migration: an FTS5 trigram
table `lead_search` on SQLite, a pg_trgm GIN index on PostgreSQL. Both answer
"contains" searches of three or more characters without reading every lead;
shorter searches are not run.
"""

from sqlalchemy import func, or_, text

from ..extensions import db
from ..models import Lead

# Database objects the migration makes that the models do not describe.
INDEX_OBJECTS = ("lead_search", "ix_leads_search_trgm")
SHORTEST_INDEXED = 3


def is_index_object(name: str | None) -> bool:
    return bool(name) and name.startswith(INDEX_OBJECTS)


def text_condition(needle: str):
    """A condition: the lead's name, company or e-mail contains `needle`.

    None for fewer than three characters: no index can answer that, and a
    scan of every lead is too slow to run on each keystroke.
    """
    if len(needle) < SHORTEST_INDEXED:
        return None
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        # A quoted FTS5 phrase: trigram matching of the literal text.
        phrase = '"' + needle.replace('"', '""') + '"'
        matches = text("SELECT rowid FROM lead_search WHERE lead_search MATCH :phrase")
        return Lead.id.in_(matches.bindparams(phrase=phrase))
    if dialect == "postgresql":
        haystack = func.lower(Lead.name + " " + Lead.company + " " + Lead.email_key)
        # lower(), not casefold(): PostgreSQL's lower() keeps "ß" as it is.
        return haystack.contains(needle.lower(), autoescape=True)
    return or_(
        Lead.name.icontains(needle, autoescape=True),
        Lead.company.icontains(needle, autoescape=True),
        Lead.email_key.contains(needle.casefold(), autoescape=True),
    )
