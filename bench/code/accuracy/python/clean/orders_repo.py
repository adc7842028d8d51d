"""Order repository (psycopg)."""
import psycopg
from psycopg import sql

SORTABLE = {"created_at", "total", "status"}


class OrdersRepo:
    def __init__(self, dsn: str):
        self.conn = psycopg.connect(dsn)

    def by_customer(self, customer_id: int):
        with self.conn.cursor() as cur:
            cur.execute("SELECT id, total FROM orders WHERE customer_id = %s", (customer_id,))
            return cur.fetchall()

    def search(self, status: str, sort: str = "created_at"):
        if sort not in SORTABLE:
            sort = "created_at"
        query = sql.SQL("SELECT id, total FROM orders WHERE status = %s ORDER BY {}").format(sql.Identifier(sort))
        with self.conn.cursor() as cur:
            cur.execute(query, (status,))
            return cur.fetchall()

    def count(self) -> int:
        with self.conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM orders")
            return cur.fetchone()[0]
