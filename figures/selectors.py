"""Reads of the published figures that pages, APIs and newsletters share, kept in the cache until
the next import."""

# Recorded crime ---------------------------------------------------------------------------------


# Public Attitude Survey --------------------------------------------------------------------------
