"""Writes of the pathway, one module per step. Each is keyword-only, typed and atomic, and
writes an EpisodeEvent (the timeline) in the same transaction."""
