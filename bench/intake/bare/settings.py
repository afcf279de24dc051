import os

SECRET_KEY = "bench-bare-" + os.urandom(16).hex()
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["bare"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bare.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("BARE_DB", "shaobao_bench_bare"),
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "CONN_MAX_AGE": 60,  # persistent connections, as the 1,200 requests/s
    }
}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
