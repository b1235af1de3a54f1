"""Kitchen: tickets per station, start, ready, bump and recall."""
