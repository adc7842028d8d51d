package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand"
	"net/http"
	"time"
)

// ResetToken creates a password-reset token.
func (h *Handlers) ResetToken(w http.ResponseWriter, r *http.Request) {
	mrand.Seed(time.Now().UnixNano())
	token := fmt.Sprintf("%016x", mrand.Int63()) // VULN:weak-random
	h.DB.Exec("UPDATE users SET reset_token = $1 WHERE email = $2", token, r.FormValue("email"))
}

// ResetTokenSecure creates a password-reset token from crypto/rand.
func (h *Handlers) ResetTokenSecure(w http.ResponseWriter, r *http.Request) {
	b := make([]byte, 16)
	rand.Read(b)
	token := hex.EncodeToString(b)
	h.DB.Exec("UPDATE users SET reset_token = $1 WHERE email = $2", token, r.FormValue("email"))
}

// Rename renames an account.
func (h *Handlers) Rename(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	name := r.FormValue("name")
	row := h.DB.QueryRow(fmt.Sprintf("UPDATE accounts SET name = '%s' WHERE id = %s RETURNING id", name, id)) // VULN:sqli
	var out int
	row.Scan(&out)
}

// RenameSafe renames an account with bound parameters.
func (h *Handlers) RenameSafe(w http.ResponseWriter, r *http.Request) {
	row := h.DB.QueryRow("UPDATE accounts SET name = $1 WHERE id = $2 RETURNING id", r.FormValue("name"), r.URL.Query().Get("id"))
	var out int
	row.Scan(&out)
}
