"""Export settings, from SHAOBAO in config/settings.py (defaults here)."""

from django.conf import settings

DEFAULTS = {
    # Up to this many rows a page answers the .xlsx itself; above it the export becomes a job.
    "EXPORT_INLINE_MAX_ROWS": 5000,
    # Finished files are deleted by the worker this many days after they were made.
    "EXPORT_KEEP_DAYS": 7,
    # A running job's lease; every progress report (about every 1,000 rows) renews it. A job
    # whose worker died is queued again when the lease has run out.
    "EXPORT_LEASE_SECONDS": 300,
    # A job whose workers keep dying (e.g. killed for memory) fails after this many claims.
    "EXPORT_MAX_ATTEMPTS": 3,
    # Jobs one user may have queued or running at once.
    "EXPORT_MAX_ACTIVE_PER_USER": 3,
}


def conf(key: str):
    return settings.SHAOBAO.get(key, DEFAULTS[key])
