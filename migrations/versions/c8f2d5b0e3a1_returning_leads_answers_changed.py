"""returning leads: differing answers kept aside for a person to check

Revision ID: c8f2d5b0e3a1
Revises: b7e1c4a9d2f0
Create Date: 2026-12-06 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8f2d5b0e3a1'
down_revision = 'b7e1c4a9d2f0'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
