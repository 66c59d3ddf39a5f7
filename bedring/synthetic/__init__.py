"""Not product code: synthetic people (``people``), a national-size world of clients and their
treatment histories (``world``, ``load``), a dispensing history (``dispensing``) and the
benchmark that times pages on them (``bench``, ``make bench``). Synthetic people only:
identifiers are generated to pass their checksums. No product package imports this one."""
