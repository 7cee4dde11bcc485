"""Filters applied to requests and responses before matching and recording: field rules, bodies, redaction."""
