import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["blog.example.com"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "corsheaders",
    "blog",
]

CORS_ALLOWED_ORIGINS = ["https://blog.example.com"]
CORS_ALLOW_CREDENTIALS = True

DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "blog"}}
