"""A synthetic, national-size world of clients and their treatment histories (benchmark, demo
at scale). Synthetic people only: identifiers are generated to pass their checksums."""
