"""Writes of medication, one module per topic: prescribing, the hold after missed doses,
dispensing, the correction of a dose recorded by mistake, stock, and the records (urine
tests, travel certificates, co-payments). Each is keyword-only, typed and atomic; a refusal
is a ``DomainError`` and nothing is written. Reads are in :mod:`bedring.medication.selectors`,
the arithmetic of the rules in :mod:`bedring.medication.rules`."""
