"""Who may do what: roles, the login check on every sales and admin page,
sessions, and the per-account login lock."""
