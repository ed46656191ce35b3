"""`newsdesk eval`: question files, scoring, and the report it writes."""
