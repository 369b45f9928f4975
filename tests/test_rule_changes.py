"""A change of the rules, previewed and applied to the leads already stored."""

from dataclasses import replace

import pytest

from capture.domain.rules import DEFAULT_RULES
from capture.extensions import db
from capture.leads.qualification import save_rules
from capture.leads.rerouting import (
    SUMMARY_MAX,
    change_summary,
    continue_rerouting,
    describe_changes,
    pending_rerouting,
    preview_change,
    reroute_leads,
    start_rerouting,
)
from capture.models import Lead

from .support.rule_changes import logged, routed_lead, snapshot

MIN_50 = replace(DEFAULT_RULES, min_headcount="50-99")
BECAUSE = "Rules changed: minimum headcount 10-49 → 50-99"


@pytest.fixture
def known_leads(app):
    """4 nurture leads at 10-49, 2 at 50-99, one pinned at 10-49, one opportunity."""
    with app.app_context():
        leads = {
            "small": [routed_lead("10-49") for _ in range(4)],
            "medium": [routed_lead("50-99") for _ in range(2)],
            "pinned": routed_lead("10-49", pinned=True),
            "demo": routed_lead("250-999", intents=("medium", "high")),
        }
        db.session.commit()
        assert {lead.list for lead in leads["small"] + leads["medium"]} == {"nurture"}
        assert leads["demo"].list == "opportunity"
        return {
            name: [x.id for x in v] if isinstance(v, list) else v.id for name, v in leads.items()
        }


# What changed, in words


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"min_headcount": "50-99"}, ["minimum headcount 10-49 → 50-99"]),
        ({"max_headcount": "250-999"}, ["maximum headcount none → 250-999"]),
        ({"target_sectors": frozenset({"ict", "retail"})}, ["target sectors +ict +retail"]),
        (
            {"sectors": ("bakeries", *DEFAULT_RULES.sectors[1:])},
            ["sector list +bakeries -agriculture"],
        ),
        ({"sectors": tuple(reversed(DEFAULT_RULES.sectors))}, ["sector list reordered"]),
        (
            {"headcount_points": {**DEFAULT_RULES.headcount_points, "50-99": 70}},
            ["points for 50-99 employees 60 → 70"],
        ),
        (
            {"intent_points": {"low": 5, "medium": 30, "high": 60}},
            ["points for medium intent 20 → 30"],
        ),
        (
            {"hot_days": 3, "opportunity_threshold": 120},
            ["hot within days 2 → 3", "opportunity threshold 150 → 120"],
        ),
        ({}, []),
    ],
)
def test_a_rule_change_is_described_setting_by_setting(change, expected):
    assert describe_changes(DEFAULT_RULES, replace(DEFAULT_RULES, **change)) == expected


def test_the_summary_of_many_changes_fits_in_front_of_a_logged_reason():
    many = [f"sector list +a-very-long-sector-name-number-{n}" for n in range(30)]

    summary = change_summary(many)

    assert len(summary) <= SUMMARY_MAX
    assert summary.startswith(many[0])
    assert summary.endswith("more")
    assert change_summary(["x" * 400]).startswith("x" * 100)
    assert len(change_summary(["x" * 400, "y"])) <= SUMMARY_MAX
    assert change_summary([]) == "none, the rules in force applied again"


# The preview


def test_the_preview_counts_the_leads_a_higher_minimum_would_disqualify(app, known_leads):
    before = snapshot(app)
    with app.app_context():
        preview = preview_change(DEFAULT_RULES, MIN_50)

    assert preview.leads == 8
    assert dict(preview.moves) == {("nurture", "disqualified"): 4}
    assert dict(preview.held) == {("nurture", "disqualified"): 1}
    assert preview.sentences() == ["4 nurture leads would be disqualified"]
    assert preview.stale == 0
    assert snapshot(app) == before  # a preview changes nothing


def test_the_preview_reads_the_leads_in_batches_and_counts_the_same(app, known_leads):
    with app.app_context():
        whole = preview_change(DEFAULT_RULES, MIN_50)
        in_twos = preview_change(DEFAULT_RULES, MIN_50, batch_size=2)

    assert (in_twos.leads, in_twos.moves, in_twos.held) == (whole.leads, whole.moves, whole.held)


def test_the_preview_scores_every_submission_of_a_lead(app):
    """A lower threshold: the lead that came back reaches it, the one-time visitor not."""
    with app.app_context():
        routed_lead("50-99", intents=("medium", "medium"))  # 60 + 20 + 10 = 90
        routed_lead("50-99", intents=("medium",))  # 80
        db.session.commit()
        preview = preview_change(DEFAULT_RULES, replace(DEFAULT_RULES, opportunity_threshold=85))

    assert dict(preview.moves) == {("nurture", "opportunity"): 1}
    assert preview.sentences() == ["1 nurture lead would become an opportunity"]
    assert preview.rescored == 0


def test_the_preview_says_which_moves_predate_this_change(app):
    """Saved earlier for new submissions only: the rules in force would move it too."""
    with app.app_context():
        routed_lead("10-49")
        lead = routed_lead("2-9")  # disqualified by the defaults...
        lead.list = "nurture"  # ...but routed when the minimum was lower
        db.session.commit()
        preview = preview_change(DEFAULT_RULES, MIN_50)

    assert dict(preview.moves) == {("nurture", "disqualified"): 2}
    assert preview.stale == 1


# Re-routing


def test_rerouting_moves_exactly_the_previewed_leads_each_logged_by_the_rules(app, known_leads):
    before = snapshot(app)
    with app.app_context():
        moves = reroute_leads(MIN_50, because=BECAUSE, batch_size=3)

    after = snapshot(app)
    assert dict(moves) == {("nurture", "disqualified"): 4}
    moved = {lead_id for lead_id in after if after[lead_id][0] != before[lead_id][0]}
    assert moved == set(known_leads["small"])
    log = logged(app)
    assert [entry[0] for entry in log] == known_leads["small"]
    for _lead_id, from_list, to_list, reason, user_id in log:
        assert (from_list, to_list, user_id) == ("nurture", "disqualified", None)
        assert reason == f"{BECAUSE}: Too small: 10-49 employees, the minimum is 50-99"
    assert after[known_leads["small"][0]][1] == "Too small: 10-49 employees, the minimum is 50-99"


def test_rerouting_a_slice_at_a_time_moves_the_same_leads_as_at_once(app, known_leads):
    with app.app_context():
        save_rules(MIN_50, None)
        start_rerouting(MIN_50, because=BECAUSE)
        db.session.commit()
        progress = []
        while (job := continue_rerouting(seconds=0, batch_size=3)) and not job.done:
            progress.append((job.checked, job.total, pending_rerouting().after))

        # 7 unpinned leads (the pinned one, id 7, is skipped); then a slice finds none left.
        assert progress == [(3, 7, 3), (6, 7, 6), (7, 7, 8)]
        assert (job.checked, dict(job.moves)) == (7, {("nurture", "disqualified"): 4})
        assert pending_rerouting() is None
        assert continue_rerouting(seconds=0) is None
    assert [entry[0] for entry in logged(app)] == known_leads["small"]


def test_a_newer_rule_change_is_not_stopped_by_a_slice_of_the_older_one(app, known_leads):
    """Another admin saves new rules (and a re-route) while a slice is under way."""
    with app.app_context():
        save_rules(MIN_50, None)
        start_rerouting(MIN_50, because=BECAUSE)
        db.session.commit()
        newer = replace(MIN_50, min_headcount="100-249")
        save_rules(newer, None)
        start_rerouting(newer, because="Rules changed: minimum headcount 100-249")
        db.session.commit()

        while (job := continue_rerouting(seconds=0, batch_size=3)) and not job.done:
            assert not job.stopped

        assert job.done and not job.stopped
        assert pending_rerouting() is None


def test_rerouting_leaves_pinned_leads_alone(app, known_leads):
    before = snapshot(app)
    with app.app_context():
        reroute_leads(
            replace(MIN_50, headcount_points={**DEFAULT_RULES.headcount_points, "10-49": 5}),
            BECAUSE,
        )

    pinned = known_leads["pinned"]
    assert snapshot(app)[pinned] == before[pinned]
    assert pinned not in {entry[0] for entry in logged(app)}


def test_rerouting_by_the_rules_in_force_changes_nothing_already_routed(app, known_leads):
    before = snapshot(app)
    with app.app_context():
        moves = reroute_leads(DEFAULT_RULES, because="Rules changed: none")

    assert not moves
    assert snapshot(app) == before
    assert logged(app) == []


def test_rerouting_updates_the_score_of_leads_that_stay(app, known_leads):
    richer = replace(
        DEFAULT_RULES, headcount_points={**DEFAULT_RULES.headcount_points, "50-99": 70}
    )
    with app.app_context():
        reroute_leads(richer, because="Rules changed: points")
        scores = {
            lead.id: (lead.list, lead.fit_score, lead.score)
            for lead in db.session.scalars(db.select(Lead))
        }

    assert {scores[i] for i in known_leads["medium"]} == {("nurture", 70, 90)}
    assert logged(app) == []


def test_a_sector_removed_from_the_list_stays_on_its_leads(app):
    with app.app_context():
        lead_id = routed_lead("50-99", sector="agriculture").id
        db.session.commit()
        without = replace(DEFAULT_RULES, sectors=DEFAULT_RULES.sectors[1:])
        preview = preview_change(DEFAULT_RULES, without)
        reroute_leads(without, because="Rules changed: sector list -agriculture")
        lead = db.session.get(Lead, lead_id)

        assert not preview.moves
        assert (lead.sector, lead.list) == ("agriculture", "nurture")
