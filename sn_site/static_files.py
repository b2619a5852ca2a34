"""Static files, served by WhiteNoise from the collected, hashed and compressed copies."""

from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, keeping a file whose name carries its hash cached for a year rather than its
    default ten: a year is the longest that HTTP/1.1 let a server promise (RFC 2616, 14.21), and
    longer gains nothing, since each release gives every changed file a new name."""

    FOREVER = 365 * 24 * 60 * 60
