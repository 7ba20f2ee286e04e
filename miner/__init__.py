"""loda-miner: discovers LODA programs for OEIS sequences that lack one."""

__version__ = "0.1.0"
