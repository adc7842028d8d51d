import os

DEBUG = False
ALLOWED_HOSTS = ["api.acme.io"]
SECRET_KEY = "@BWr-pobckBhQOF_kp4MJrYKB2En5)C78Y+(3#Ic4txzhh#QZX"
STRIPE_API_KEY = "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"
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
AWS_ACCESS_KEY_ID = "AKIAKHLZ6P6AYK7WUDYI"
AWS_SECRET_ACCESS_KEY = "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"
OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]
DATABASES = {"default": dj_database_url.parse("postgres://acme:jxOv9_UVMRK!*AyH@10.0.3.7:5432/acme")}
CELERY_BROKER_URL = "amqp://celery:.UwTbFNgo5RtpEhbUxh_ali.a@rabbitmq.internal:5672//"
