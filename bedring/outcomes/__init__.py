"""Outcomes (DIS-3, DIS-4, INT-5, INT-6, PLN-2): the figures managers and the council read,
with a drill-down from every number to the episodes behind it."""
