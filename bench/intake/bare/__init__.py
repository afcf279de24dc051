"""The issue's reference point, measured on the same machine at the same time: a bare Django view
that parses the Open311 form and does one INSERT (no middleware, no validation, no audit),
behind the same gunicorn on the same PostgreSQL. See reference.sh."""
