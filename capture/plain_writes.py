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
        mapper, table = state.mapper, state.mapper.local_table
        _copy_parent_keys(instance, mapper)
        values = {}
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if column.primary_key:
                continue
            if prop.key not in state.dict:
                # What the INSERT would apply, known here so the object holds it.
                setattr(instance, prop.key, _python_default(column))
            values[column.key] = getattr(instance, prop.key)
        result = connection.execute(_insert(table), values)
        (primary_key,) = mapper.primary_key
        setattr(
            instance, mapper.get_property_by_column(primary_key).key, result.inserted_primary_key[0]
        )
        if state.pending:
            session.expunge(instance)
        # As if just loaded: no history left for the commit to flush.
        make_transient_to_detached(instance)
        session.add(instance)
        session.info.setdefault(_INSERTED, []).append(instance)


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
    return {
        prop.key: state.dict[prop.key]
        for prop in state.mapper.column_attrs
        if state.attrs[prop.key].history.added
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


def _copy_parent_keys(instance, mapper) -> None:
    """Set foreign keys from many-to-one relationships set on `instance`."""
    for relationship in mapper.relationships:
        if relationship.direction is not MANYTOONE:
            continue
        parent = inspect(instance).dict.get(relationship.key)
        if parent is None:
            continue
        parent_mapper = inspect(parent).mapper
        for local, remote in relationship.local_remote_pairs:
            value = getattr(parent, parent_mapper.get_property_by_column(remote).key)
            if value is None:
                raise ValueError(f"{relationship}: the parent is not stored yet")
            setattr(instance, mapper.get_property_by_column(local).key, value)


def _python_default(column):
    default = column.default
    if default is None:
        if column.server_default is not None:
            raise ValueError(f"{column}: a server default is not known before the INSERT")
        return None
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return default.arg(None)
    raise ValueError(f"{column}: only scalar or Python defaults")


@cache
def _insert(table):
    return table.insert()
