"""Ward and borough newsletters: subscriptions, issues and sending (issue 6)."""
