"""Bringing the published figures in: the MPS ward crime table (any number of its releases,
merged) and MOPAC's Public Attitude Survey borough table."""


# Recorded crime ---------------------------------------------------------------------------------


# Public Attitude Survey --------------------------------------------------------------------------
