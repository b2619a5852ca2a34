"""Virtual ward panels: panel members and e-surveys (issue 5)."""
