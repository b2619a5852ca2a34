"""The site as deployed (sn_site.settings.production, which needs SECRET_KEY and CACHE_URL from the
environment), with the bench baselines' URLs added (bench.urls) and nothing else changed: every
middleware, rate limit and security setting is production's."""

from sn_site.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
