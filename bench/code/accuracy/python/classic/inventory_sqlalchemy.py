from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql:///inventory"
db = SQLAlchemy(app)


@app.route("/inventory")
def inventory():
    sku = request.args.get("sku", "")
    rows = db.session.execute(text(f"SELECT * FROM items WHERE sku = '{sku}'")).fetchall()  # VULN:sqli
    return jsonify([dict(r._mapping) for r in rows])


@app.route("/inventory-safe")
def inventory_safe():
    sku = request.args.get("sku", "")
    rows = db.session.execute(text("SELECT * FROM items WHERE sku = :sku"), {"sku": sku}).fetchall()
    return jsonify([dict(r._mapping) for r in rows])


@app.route("/inventory/warehouse", methods=["POST"])
def inventory_by_warehouse():
    warehouse = request.form["warehouse"]
    with db.engine.connect() as conn:
        sql = "SELECT sku, qty FROM stock WHERE warehouse = '" + warehouse + "'"
        rows = conn.exec_driver_sql(sql).fetchall()  # VULN:sqli
    return jsonify([list(r) for r in rows])


@app.route("/inventory/warehouse-safe", methods=["POST"])
def inventory_by_warehouse_safe():
    warehouse = request.form["warehouse"]
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT sku, qty FROM stock WHERE warehouse = %s", (warehouse,)).fetchall()
    return jsonify([list(r) for r in rows])
