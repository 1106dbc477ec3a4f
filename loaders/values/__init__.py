"""Value parsers: money in all its written forms, and durations."""
