"""The site owner's pages under `/admin` (admin role only)."""

from flask import Blueprint, render_template

from ..auth.roles import require_role
from ..extensions import db
from ..models import Form, User

bp = Blueprint("admin", __name__)
require_role(bp, "admin")


@bp.get("/")
def index():
    forms = db.session.scalars(db.select(Form).order_by(Form.title)).all()
    users = db.session.scalars(db.select(User).order_by(User.email)).all()
    return render_template("admin/index.html", forms=forms, users=users)
