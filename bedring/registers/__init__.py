"""Register exports: the EUDA Treatment Demand Indicator (TDI 3.0) per organisation and year."""
