"""A separate process taking round-robin turns, for the concurrency test of
tests/sales/test_owners.py: `python -m tests.support.assigning URL INSTANCE COUNT`
prints the chosen person's id and the turn's number, one line per turn."""

import sys

from capture import create_app
from capture.db.transactions import begin_write
from capture.domain.assignment import LeadToAssign
from capture.extensions import db
from capture.leads.owners import choose_owner

from .config import base_config


def main(url: str, instance: str, count: int) -> None:
    app = create_app(base_config(url, instance))
    with app.app_context():
        for _ in range(count):
            begin_write()
            chosen = choose_owner(LeadToAssign())
            db.session.commit()
            print(chosen.person_id, chosen.turn.number, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
