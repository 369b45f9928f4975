"""users: a display name, shown wherever a person is named

Revision ID: d4a7e2c9b1f6
Revises: c8f2d5b0e3a1
Create Date: 2026-12-06 05:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a7e2c9b1f6'
down_revision = 'c8f2d5b0e3a1'
branch_labels = None
depends_on = None


def upgrade():
    # Plain add_column (not batch mode): SQLite adds a nullable column in place.
    op.add_column('users', sa.Column('name', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('name')
