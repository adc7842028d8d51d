package handlers

import (
	"net"
	"net/http"
	"os/exec"
)

// Ping runs ping against the host given in the query string.
func (h *Handlers) Ping(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	out, err := exec.Command("sh", "-c", "ping -c 1 "+host).CombinedOutput() // VULN:cmdi
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Write(out)
}

// PingSafe only accepts an IP address and passes it as an argument.
func (h *Handlers) PingSafe(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	if net.ParseIP(host) == nil {
		http.Error(w, "bad host", http.StatusBadRequest)
		return
	}
	out, err := exec.Command("ping", "-c", "1", host).CombinedOutput()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Write(out)
}

// Lookup resolves a name with the system resolver tool.
func (h *Handlers) Lookup(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("name")
	cmd := exec.Command("bash", "-c", "nslookup "+name+" | tail -n 2") // VULN:cmdi
	out, _ := cmd.Output()
	w.Write(out)
}

// LookupDefault resolves the configured upstream.
func (h *Handlers) LookupDefault(w http.ResponseWriter, r *http.Request) {
	name := "api.partner.example"
	cmd := exec.Command("bash", "-c", "nslookup "+name+" | tail -n 2")
	out, _ := cmd.Output()
	w.Write(out)
}
