"""Interoperability: a client's record as a FHIR Bundle."""
