"""response clocks: the time a lead has for its answer, per entry onto a list
with a target; the running clock's deadline on the lead

Revision ID: a3d7c1f9e2b4
Revises: f6c9a4e1b3d8
Create Date: 2026-12-07 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3d7c1f9e2b4'
down_revision = 'f6c9a4e1b3d8'
branch_labels = None
depends_on = None

RUNNING = sa.text('stopped_at IS NULL')


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # Not a batch (table rebuild): that would drop the search triggers on leads.
        op.execute("ALTER TABLE leads ADD COLUMN respond_by DATETIME")
    else:
        op.add_column('leads', sa.Column('respond_by', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_leads_list_respond_by', 'leads', ['list', 'respond_by'], unique=False)
    op.create_table(
        'response_clocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('list', sa.String(length=20), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('size_class', sa.String(length=10), nullable=True),
        sa.Column('target_minutes', sa.Integer(), nullable=False),
        sa.Column('respond_by', sa.DateTime(timezone=True), nullable=False),
        sa.Column('escalate_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('stopped_because', sa.String(length=10), nullable=True),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("list IN ('opportunity', 'nurture')", name=op.f('ck_response_clocks_list')),
        sa.CheckConstraint(
            "stopped_because IS NULL OR stopped_because IN ('contacted', 'moved', 'won', 'lost')",
            name=op.f('ck_response_clocks_stopped_because'),
        ),
        sa.CheckConstraint(
            '(stopped_at IS NULL) = (stopped_because IS NULL)',
            name=op.f('ck_response_clocks_stopped_with_a_reason'),
        ),
        sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_response_clocks_lead_id_leads')),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_response_clocks_owner_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_response_clocks')),
    )
    op.create_index(
        'ix_response_clocks_lead_started', 'response_clocks', ['lead_id', 'started_at'], unique=False
    )
    op.create_index(
        'uq_response_clocks_running',
        'response_clocks',
        ['lead_id'],
        unique=True,
        sqlite_where=RUNNING,
        postgresql_where=RUNNING,
    )
    op.create_index(
        'ix_response_clocks_stopped_respond_by',
        'response_clocks',
        ['stopped_at', 'respond_by'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_response_clocks_stopped_respond_by', table_name='response_clocks')
    op.drop_index('uq_response_clocks_running', table_name='response_clocks')
    op.drop_index('ix_response_clocks_lead_started', table_name='response_clocks')
    op.drop_table('response_clocks')
    op.drop_index('ix_leads_list_respond_by', table_name='leads')
    op.drop_column('leads', 'respond_by')
