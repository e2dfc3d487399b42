"""LRP for dvats' encoders, one concept per module: `canonical`, `composites`, `fast`, `attribution`, `evaluate`, `frequency` (see nbs/05b_lrp.ipynb)."""
