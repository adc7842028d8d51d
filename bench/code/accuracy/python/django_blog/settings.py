from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = __import__("os").environ["DJANGO_SECRET_KEY"]
DEBUG = True  # VULN:debug
ALLOWED_HOSTS = ["blog.example.com"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "corsheaders",
    "blog",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORS_ALLOW_ALL_ORIGINS = True  # VULN:cors
CORS_ALLOW_CREDENTIALS = True

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
