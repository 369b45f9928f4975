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
    # One row per e-mail address typed at the login, known or not; the
    # worker's daily purge drops it once its window and lock are over.
    op.create_table('login_failures',
    sa.Column('email_key', sa.String(length=320), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('email_key', name=op.f('pk_login_failures'))
    )


def downgrade():
    op.drop_table('login_failures')
