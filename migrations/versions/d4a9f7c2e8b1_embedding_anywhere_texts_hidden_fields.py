"""embedding on any site unless restricted, where forms are embedded, a
form's texts per language, hidden fields from the host page

Revision ID: d4a9f7c2e8b1
Revises: b5e8d2c4f1a7
Create Date: 2026-12-06 13:00:00.000000

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4a9f7c2e8b1"
down_revision = "b5e8d2c4f1a7"
branch_labels = None
depends_on = None

EMPTY = sa.text("'{}'")
NONE = sa.text("'[]'")
TEXT_COLUMNS = ("intro", "success_text", "consent_text", "marketing_text")
TEXT_KEYS = (
    "title",
    "intro",
    "button_label",
    "success_text",
    "booking_label",
    "consent_text",
    "marketing_text",
)


def _loaded(value):
    return json.loads(value) if isinstance(value, str) else value


def upgrade():
    # Plain ADD/DROP COLUMN on both databases (a SQLite batch would rebuild
    # `forms`, which leads point at).
    op.add_column(
        "forms",
        sa.Column("restrict_embedding", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("forms", sa.Column("texts", sa.JSON(), server_default=EMPTY, nullable=False))
    op.add_column(
        "forms", sa.Column("hidden_fields", sa.JSON(), server_default=NONE, nullable=False)
    )
    op.add_column(
        "submissions", sa.Column("fields", sa.JSON(), server_default=EMPTY, nullable=False)
    )
    op.add_column("leads", sa.Column("fields", sa.JSON(), server_default=EMPTY, nullable=False))
    op.create_table(
        "embed_counts",
        sa.Column("form_id", sa.Integer(), sa.ForeignKey("forms.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("form_id", "day", "origin", "allowed"),
        sqlite_with_rowid=False,
    )

    connection = op.get_bind()
    forms = sa.table(
        "forms",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("language", sa.String),
        sa.column("allowed_origins", sa.JSON),
        sa.column("restrict_embedding", sa.Boolean),
        sa.column("texts", sa.JSON),
        sa.column("hidden_fields", sa.JSON),
        *(sa.column(name, sa.Text) for name in TEXT_COLUMNS),
    )
    rows = connection.execute(
        sa.select(
            forms.c.id,
            forms.c.title,
            forms.c.language,
            forms.c.allowed_origins,
            *(forms.c[name] for name in TEXT_COLUMNS),
        )
    ).all()
    for row in rows:
        values = row._mapping
        # The texts as written so far, in the form's language (English when
        # it followed the browser): the other language falls back to them.
        written = {key: values.get(key) or "" for key in TEXT_KEYS}
        # A form with sites listed stays restricted to them; an empty list
        # meant "nowhere" and now means "any site".
        connection.execute(
            forms.update()
            .where(forms.c.id == row.id)
            .values(
                texts={row.language or "en": written},
                restrict_embedding=bool(_loaded(row.allowed_origins)),
            )
        )
    for name in TEXT_COLUMNS:
        op.drop_column("forms", name)


def downgrade():
    for name in TEXT_COLUMNS:
        op.add_column("forms", sa.Column(name, sa.Text(), nullable=True))
    connection = op.get_bind()
    forms = sa.table(
        "forms",
        sa.column("id", sa.Integer),
        sa.column("language", sa.String),
        sa.column("texts", sa.JSON),
        sa.column("restrict_embedding", sa.Boolean),
        sa.column("allowed_origins", sa.JSON),
        *(sa.column(name, sa.Text) for name in TEXT_COLUMNS),
    )
    for row in connection.execute(
        sa.select(
            forms.c.id,
            forms.c.language,
            forms.c.texts,
            forms.c.restrict_embedding,
            forms.c.allowed_origins,
        )
    ).all():
        texts = _loaded(row.texts) or {}
        mine = texts.get(row.language or "en") or next(iter(texts.values()), {})
        values = {name: mine.get(name) or None for name in TEXT_COLUMNS}
        values["intro"] = values["intro"] or ""
        values["success_text"] = values["success_text"] or ""
        # Before, an empty list meant "nowhere": a form open to any site
        # keeps only the sites it lists.
        if not row.restrict_embedding:
            values["allowed_origins"] = _loaded(row.allowed_origins) or []
        connection.execute(forms.update().where(forms.c.id == row.id).values(**values))
    op.drop_table("embed_counts")
    op.drop_column("leads", "fields")
    op.drop_column("submissions", "fields")
    op.drop_column("forms", "hidden_fields")
    op.drop_column("forms", "texts")
    op.drop_column("forms", "restrict_embedding")
