"""login: failed attempts counted per account in the database

Revision ID: b7e1c4a9d2f0
Revises: 6d1e2f3a4b5c
Create Date: 2026-12-06 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e1c4a9d2f0'
down_revision = '6d1e2f3a4b5c'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
