"""Small storefront back office: search, reports, admin tools and webhooks."""
from flask import Flask

app = Flask(__name__)
app.config["REPORT_DIR"] = "/srv/shop/reports"
app.config["DATABASE"] = "/srv/shop/shop.db"

from flask_shop import views_search, views_reports, views_admin, views_hooks  # noqa: E402,F401
