import os

DEBUG = False
ALLOWED_HOSTS = ["api.acme.io"]
SECRET_KEY = "_a=G+j0Ymyxg)@jeO&vmA@cIk^VOWy9f9AxV!soHxQrj5nSMb&"
STRIPE_API_KEY = "sk_live_g6mXcApT8eXNDmuzwzRQhW9h"
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
AWS_ACCESS_KEY_ID = "AKIAXEDUOSQFD4AKRXIQ"
AWS_SECRET_ACCESS_KEY = "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"
OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]
DATABASES = {"default": dj_database_url.parse("postgres://acme:li*aYZnJANdeXpPAIuhumWaxty8T@10.0.3.7:5432/acme")}
CELERY_BROKER_URL = "amqp://celery:N0#a2hTQarTw0*Q1J@rabbitmq.internal:5672//"
