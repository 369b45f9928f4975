"""What the blueprints share about leads: recording submissions, the
qualifying questions, routing and re-routing by the rules, consent, privacy,
funnel counts, channel costs and e-book files."""
