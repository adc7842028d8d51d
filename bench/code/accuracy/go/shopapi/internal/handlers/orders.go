package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

type order struct {
	ID    int     `json:"id"`
	Total float64 `json:"total"`
}

func writeOrders(w http.ResponseWriter, rows interface {
	Next() bool
	Scan(...any) error
}) {
	var out []order
	for rows.Next() {
		var o order
		if err := rows.Scan(&o.ID, &o.Total); err == nil {
			out = append(out, o)
		}
	}
	json.NewEncoder(w).Encode(out)
}

// Orders lists the orders of a customer.
func (h *Handlers) Orders(w http.ResponseWriter, r *http.Request) {
	customer := r.URL.Query().Get("customer")
	rows, err := h.DB.Query("SELECT id, total FROM orders WHERE customer = '" + customer + "'") // VULN:sqli
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer rows.Close()
	writeOrders(w, rows)
}

// OrdersSafe lists the orders of a customer with a bound parameter.
func (h *Handlers) OrdersSafe(w http.ResponseWriter, r *http.Request) {
	customer := r.URL.Query().Get("customer")
	rows, err := h.DB.Query("SELECT id, total FROM orders WHERE customer = $1", customer)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer rows.Close()
	writeOrders(w, rows)
}

// Cancel marks an order cancelled.
func (h *Handlers) Cancel(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("id")
	query := fmt.Sprintf("UPDATE orders SET status = 'cancelled' WHERE id = %s", id)
	if _, err := h.DB.Exec(query); err != nil { // VULN:sqli
		http.Error(w, err.Error(), 500)
	}
}

// CancelChecked parses the id as an integer first.
func (h *Handlers) CancelChecked(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.FormValue("id"))
	if err != nil {
		http.Error(w, "bad id", 400)
		return
	}
	query := fmt.Sprintf("UPDATE orders SET status = 'cancelled' WHERE id = %d", id)
	if _, err := h.DB.Exec(query); err != nil {
		http.Error(w, err.Error(), 500)
	}
}
