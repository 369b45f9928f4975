"""Storing new rows with plain INSERTs, for the one place where that pays.

A visitor's first post stores a new lead, its submission and its routing.
Through the ORM's unit of work that flush cost more than the three INSERTs
themselves (it works out dependencies, then checks each object's every
attribute), and on SQLite it is done while holding the write lock. Here
each object is inserted as it stands, parents first, and then put in the
session as a loaded object, so the page that follows reads it without a
query and the commit has nothing left to flush.

Only for simple rows: one integer primary key the database assigns, column
defaults set in Python (not on the server), and parents that are either
stored already or inserted before their children in the same call.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, event, inspect
from sqlalchemy.orm import Session, make_transient, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.interfaces import MANYTOONE

from .extensions import db


def insert_now(*objects) -> None:
    """INSERT each new object of `objects`, in the order given, and make it
    persistent in the session (objects stored already are skipped)."""
    session = db.session()
    connection = session.connection()
    for instance in objects:
        state = inspect(instance)
        if state.persistent:
            continue
        plan = _insert_plan(state.mapper)
        _copy_parent_keys(instance, plan)
        values, loaded = {}, state.dict
        for key, column_key, default in plan.columns:
            if key not in loaded:
                # What the INSERT would apply, known here so the object holds it.
                set_committed_value(instance, key, default())
            values[column_key] = loaded[key]
        result = connection.execute(plan.statement, values)
        set_committed_value(instance, plan.primary_key, result.inserted_primary_key[0])
        if state.pending:
            session.expunge(instance)
        # As if just loaded: no history left for the commit to flush.
        make_transient_to_detached(instance)
        session.add(instance)
        session.info.setdefault(_INSERTED, []).append(instance)


@dataclass(frozen=True)
class _InsertPlan:
    """What inserting a mapped class's row takes, worked out once per class."""

    statement: object
    primary_key: str
    # (attribute, column, default maker) for every column but the primary key
    columns: tuple[tuple[str, str, Callable[[], object]], ...]
    # (relationship attribute, ((parent attribute, own attribute), ...)) per many-to-one
    parents: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


@cache
def _insert_plan(mapper) -> _InsertPlan:
    (primary_key,) = mapper.primary_key
    columns = tuple(
        (prop.key, prop.columns[0].key, _python_default(prop.columns[0]))
        for prop in mapper.column_attrs
        if not prop.columns[0].primary_key
    )
    parents = tuple(
        (
            relationship.key,
            tuple(
                (
                    relationship.mapper.get_property_by_column(remote).key,
                    mapper.get_property_by_column(local).key,
                )
                for local, remote in relationship.local_remote_pairs
            ),
        )
        for relationship in mapper.relationships
        if relationship.direction is MANYTOONE
    )
    return _InsertPlan(
        mapper.local_table.insert(),
        mapper.get_property_by_column(primary_key).key,
        columns,
        parents,
    )


_INSERTED = "leadgate.inserted_now"


@event.listens_for(Session, "after_rollback")
def _forget_rows_rolled_back(session: Session) -> None:
    # The session forgets the objects its flush inserted; these it must be told.
    # (A retry may be given the same ids for its own new rows.)
    for instance in session.info.pop(_INSERTED, ()):
        if instance in session:
            session.expunge(instance)


@event.listens_for(Session, "after_commit")
def _stored(session: Session) -> None:
    session.info.pop(_INSERTED, None)


def update_now(instance, **values) -> None:
    """Set `values` on a stored object with one plain UPDATE, leaving nothing
    for the commit to flush for them."""
    state = inspect(instance)
    mapper = state.mapper
    (primary_key,) = mapper.primary_key
    key = getattr(instance, mapper.get_property_by_column(primary_key).key)
    columns = {mapper.get_property(name).columns[0].key: value for name, value in values.items()}
    db.session.connection().execute(_update(mapper.local_table), {"_key": key, **columns})
    for name, value in values.items():
        set_committed_value(instance, name, value)


def changed_columns(instance) -> dict:
    """attribute name -> new value, for each column attribute changed since loaded."""
    state = inspect(instance)
    columns = state.mapper.column_attrs
    # Only attributes set since loading have a committed value kept aside.
    return {
        key: state.dict[key]
        for key in state.committed_state
        if key in columns and state.attrs[key].history.added
    }


def write_now(instance) -> None:
    """Store the changes to a stored object and every new object in the
    session (parents before children): plain UPDATE and INSERTs.

    For an object whose collections only gained the new rows (a lead and its
    new list change): nothing is left for the commit to flush. Not for
    deletes, which go through the ORM.
    """
    session = db.session()
    if session.deleted:
        return
    changes = changed_columns(instance)
    if changes:
        update_now(instance, **changes)
    order = _table_order()
    insert_now(*sorted(session.new, key=lambda new: order[inspect(new).mapper.local_table]))
    if instance in session.dirty:
        # Only collection history is left (the rows just inserted): start the
        # object afresh as loaded, with the public steps to do so.
        session.expunge(instance)
        make_transient(instance)
        make_transient_to_detached(instance)
        session.add(instance)


@cache
def _table_order() -> dict:
    return {table: number for number, table in enumerate(db.metadata.sorted_tables)}


@cache
def _update(table):
    (primary_key,) = table.primary_key.columns
    return table.update().where(primary_key == bindparam("_key"))


def _copy_parent_keys(instance, plan: _InsertPlan) -> None:
    """Set foreign keys from many-to-one relationships set on `instance`."""
    loaded = inspect(instance).dict
    for relationship, pairs in plan.parents:
        parent = loaded.get(relationship)
        if parent is None:
            continue
        for remote, local in pairs:
            value = getattr(parent, remote)
            if value is None:
                raise ValueError(f"{relationship}: the parent is not stored yet")
            set_committed_value(instance, local, value)


def _python_default(column) -> Callable[[], object]:
    """What makes the value the INSERT would give `column` when it is not set."""
    default = column.default
    if default is None:
        if column.server_default is not None:
            raise ValueError(f"{column}: a server default is not known before the INSERT")
        return lambda: None
    if default.is_scalar:
        return lambda: default.arg
    if default.is_callable:
        return lambda: default.arg(None)
    raise ValueError(f"{column}: only scalar or Python defaults")
