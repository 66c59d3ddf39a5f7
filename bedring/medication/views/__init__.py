"""Medication pages, one module per topic: the client's medication, prescriptions, the
dispensing desk and the stock (``dispensing``); urine tests, travel certificates and
co-payments (``records``). :mod:`bedring.medication.urls` composes their url patterns."""
