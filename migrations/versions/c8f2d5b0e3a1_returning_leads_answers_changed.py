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
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_answers', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('answers_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_leads_answers_changed_at', ['answers_changed_at'], unique=False)
    # Marketing consent counts only once confirmed by e-mail, on every form:
    # the per-form switch that let a newsletter sign-up count unconfirmed goes.
    # Not in batch mode: on SQLite that rebuilds the table, and dropping the
    # old one fails its foreign keys once leads point at forms.
    op.drop_column('forms', 'double_opt_in')


def downgrade():
    op.add_column(
        'forms', sa.Column('double_opt_in', sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_answers_changed_at')
        batch_op.drop_column('answers_changed_at')
        batch_op.drop_column('changed_answers')
