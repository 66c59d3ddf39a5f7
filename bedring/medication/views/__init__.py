"""Medication pages, one module per topic: the client's medication and prescriptions
(``prescriptions``); the dispensing desk, the correction of a dose and the stock
(``dispensing``); urine tests, travel certificates and co-payments (``records``).
:mod:`bedring.medication.urls` composes their url patterns."""
