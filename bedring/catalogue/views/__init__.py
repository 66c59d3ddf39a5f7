"""Catalogue pages, one module per topic: the offers, courses and enrolments with their
bookings, attendance with gift cards, tallies and the calendar. :mod:`bedring.catalogue.urls`
composes their url patterns."""
