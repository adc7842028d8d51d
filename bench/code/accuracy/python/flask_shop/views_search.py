from flask import jsonify

from flask_shop import app
from flask_shop.db import get_db
from flask_shop.utils import get_page_size, get_search_term


@app.route("/products/search")
def search_products():
    term = get_search_term()
    cur = get_db().cursor()
    query = f"SELECT id, name, price FROM products WHERE name LIKE '%{term}%' ORDER BY name"
    cur.execute(query)  # VULN:sqli
    return jsonify([dict(r) for r in cur.fetchall()])


@app.route("/products/search-safe")
def search_products_safe():
    term = get_search_term()
    cur = get_db().cursor()
    query = "SELECT id, name, price FROM products WHERE name LIKE ? ORDER BY name"
    cur.execute(query, (f"%{term}%",))
    return jsonify([dict(r) for r in cur.fetchall()])


@app.route("/products/page")
def product_page():
    size = get_page_size()
    cur = get_db().cursor()
    cur.execute(f"SELECT id, name FROM products ORDER BY id LIMIT {size}")
    return jsonify([dict(r) for r in cur.fetchall()])
