import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)


def get_conn():
    return sqlite3.connect("/srv/app/accounts.db")


@app.route("/accounts/by-name")
def account_by_name():
    name = request.args["name"]
    cur = get_conn().cursor()
    cur.execute("SELECT id, email FROM accounts WHERE name = '%s'" % name)  # VULN:sqli
    return jsonify(cur.fetchall())


@app.route("/accounts/by-name-safe")
def account_by_name_safe():
    name = request.args["name"]
    cur = get_conn().cursor()
    cur.execute("SELECT id, email FROM accounts WHERE name = ?", (name,))
    return jsonify(cur.fetchall())


@app.route("/accounts/<account_id>/orders")
def account_orders(account_id):
    conn = get_conn()
    rows = conn.execute("SELECT * FROM orders WHERE account_id = " + account_id).fetchall()  # VULN:sqli
    return jsonify(rows)


@app.route("/accounts/<account_id>/orders-int")
def account_orders_int(account_id):
    conn = get_conn()
    rows = conn.execute("SELECT * FROM orders WHERE account_id = " + str(int(account_id))).fetchall()
    return jsonify(rows)


@app.route("/accounts/sorted")
def accounts_sorted():
    column = request.args.get("sort", "name")
    cur = get_conn().cursor()
    cur.execute("SELECT id, name FROM accounts ORDER BY {}".format(column))  # VULN:sqli
    return jsonify(cur.fetchall())


@app.route("/accounts/sorted-checked")
def accounts_sorted_checked():
    column = request.args.get("sort", "name")
    if column not in ("name", "email", "created_at"):
        column = "name"
    cur = get_conn().cursor()
    cur.execute("SELECT id, name FROM accounts ORDER BY {}".format(column))
    return jsonify(cur.fetchall())
