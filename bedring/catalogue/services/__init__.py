"""Writes of the catalogue, one module per topic: offers, courses, enrolments (with their
individual bookings), attendance (with gift cards) and tallies. Each is keyword-only, typed
and atomic; a refusal is a ``DomainError`` and nothing is written."""
