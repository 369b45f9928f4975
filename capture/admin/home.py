"""`/admin/`: the overview of forms, e-books, rules and users."""

from flask import render_template

from ..extensions import db
from ..models import Ebook, Form, User
from . import bp


@bp.get("/")
def index():
    forms = db.session.scalars(db.select(Form).order_by(Form.archived_at.is_not(None), Form.title))
    return render_template(
        "admin/index.html",
        forms=forms.all(),
        ebooks=db.session.scalar(db.select(db.func.count(Ebook.id))),
        users=db.session.scalar(db.select(db.func.count(User.id)).where(User.active)),
    )
