"""owners: a lead's owner, and the log of its owner changes

Revision ID: e5b8f3d0a2c7
Revises: d4a7e2c9b1f6
Create Date: 2026-12-06 05:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b8f3d0a2c7'
down_revision = 'd4a7e2c9b1f6'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # Not a batch (table rebuild): that would drop the search triggers on leads.
        op.execute(
            "ALTER TABLE leads ADD COLUMN owner_id INTEGER"
            " CONSTRAINT fk_leads_owner_id_users REFERENCES users (id)"
        )
    else:
        op.add_column('leads', sa.Column('owner_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_leads_owner_id_users'), 'leads', 'users', ['owner_id'], ['id'])
    op.create_index('ix_leads_owner_id', 'leads', ['owner_id'], unique=False)
    op.create_table(
        'owner_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('from_user_id', sa.Integer(), nullable=True),
        sa.Column('to_user_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=300), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_owner_changes_lead_id_leads')),
        sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_owner_changes_from_user_id_users')),
        sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_owner_changes_to_user_id_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_owner_changes_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_owner_changes')),
    )
    op.create_index('ix_owner_changes_lead_created', 'owner_changes', ['lead_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_owner_changes_lead_created', table_name='owner_changes')
    op.drop_table('owner_changes')
    op.drop_index('ix_leads_owner_id', table_name='leads')
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f('fk_leads_owner_id_users'), 'leads', type_='foreignkey')
    op.drop_column('leads', 'owner_id')
