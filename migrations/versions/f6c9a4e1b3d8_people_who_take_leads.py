"""people who take leads: weights, an admin's switch, booking links, absences;
the booking link opened on a lead; the My leads index

Revision ID: f6c9a4e1b3d8
Revises: e5b8f3d0a2c7
Create Date: 2026-12-06 07:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6c9a4e1b3d8'
down_revision = 'e5b8f3d0a2c7'
branch_labels = None
depends_on = None


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('takes_leads', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('weight', sa.Integer(), server_default='2', nullable=False))
        batch_op.add_column(sa.Column('booking_url', sa.String(length=500), nullable=True))
        batch_op.create_check_constraint(op.f('ck_users_weight'), 'weight BETWEEN 1 AND 10')
    if sqlite:
        # Not a batch (table rebuild): that would drop the search triggers on leads.
        op.execute("ALTER TABLE leads ADD COLUMN booking_opened_at DATETIME")
    else:
        op.add_column('leads', sa.Column('booking_opened_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        'ix_leads_list_owner_score', 'leads', ['list', 'owner_id', 'score', 'last_interest_at'], unique=False
    )
    op.create_table(
        'absences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('starts', sa.Date(), nullable=False),
        sa.Column('ends', sa.Date(), nullable=False),
        sa.Column('set_by_id', sa.Integer(), nullable=True),
        sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('ends >= starts', name=op.f('ck_absences_ends_after_starts')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_absences_user_id_users')),
        sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_absences_set_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_absences')),
    )
    op.create_index('ix_absences_user_ends', 'absences', ['user_id', 'ends'], unique=False)


def downgrade():
    op.drop_index('ix_absences_user_ends', table_name='absences')
    op.drop_table('absences')
    op.drop_index('ix_leads_list_owner_score', table_name='leads')
    op.drop_column('leads', 'booking_opened_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_weight'), type_='check')
        batch_op.drop_column('booking_url')
        batch_op.drop_column('weight')
        batch_op.drop_column('takes_leads')
