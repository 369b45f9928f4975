"""response times: the business minutes a person took to answer each clock;
the clocks of a period; one person's leads soonest due first

Revision ID: b5e8d2c4f1a7
Revises: a3d7c1f9e2b4
Create Date: 2026-12-08 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5e8d2c4f1a7"
down_revision = "a3d7c1f9e2b4"
branch_labels = None
depends_on = None

DUE = sa.text("respond_by IS NOT NULL")


def upgrade():
    # A plain ADD COLUMN on both databases (a SQLite batch would rebuild the table).
    op.add_column("response_clocks", sa.Column("response_minutes", sa.Integer(), nullable=True))
    op.create_index("ix_response_clocks_started", "response_clocks", ["started_at"], unique=False)
    op.create_index(
        "ix_leads_list_owner_respond_by",
        "leads",
        ["list", "owner_id", "respond_by"],
        unique=False,
        sqlite_where=DUE,
        postgresql_where=DUE,
    )


def downgrade():
    op.drop_index("ix_leads_list_owner_respond_by", table_name="leads")
    op.drop_index("ix_response_clocks_started", table_name="response_clocks")
    op.drop_column("response_clocks", "response_minutes")
