"""visitor e-mails: download link, newsletter confirmation

Revision ID: 422cd84cebfa
Revises: a8cbcc74784e
Create Date: 2026-11-22 18:53:31.445457

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '422cd84cebfa'
down_revision = 'a8cbcc74784e'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, no table rebuild (the search triggers live on leads).
    op.add_column('forms', sa.Column('email_download', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('forms', sa.Column('double_opt_in', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('leads', sa.Column('newsletter_confirmed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('leads', 'newsletter_confirmed_at')
    op.drop_column('forms', 'double_opt_in')
    op.drop_column('forms', 'email_download')
