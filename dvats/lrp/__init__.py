"""LRP for dvats' encoders, one concept per module: `canonical`, `composites`, `fast`, `attribution`, `evaluate` (see nbs/05b_lrp.ipynb)."""
