package handlers

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
)

var allowedHosts = map[string]bool{"api.partner.example": true, "cdn.partner.example": true}

// Fetch proxies a URL for the image preview.
func (h *Handlers) Fetch(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("url")
	resp, err := http.Get(target) // VULN:ssrf
	if err != nil {
		http.Error(w, err.Error(), 502)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

// FetchSafe only proxies allow-listed hosts.
func (h *Handlers) FetchSafe(w http.ResponseWriter, r *http.Request) {
	u, err := url.Parse(r.URL.Query().Get("url"))
	if err != nil || u.Scheme != "https" || !allowedHosts[u.Hostname()] {
		http.Error(w, "bad url", 400)
		return
	}
	resp, err := http.Get(u.String())
	if err != nil {
		http.Error(w, err.Error(), 502)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

// Hello greets the caller.
func (h *Handlers) Hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprintf(w, "<h1>Hello %s</h1>", name) // VULN:xss
}

// HelloSafe greets the caller with the name escaped.
func (h *Handlers) HelloSafe(w http.ResponseWriter, r *http.Request) {
	name := html.EscapeString(r.URL.Query().Get("name"))
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprintf(w, "<h1>Hello %s</h1>", name)
}

// Webhook posts a test event to the partner's webhook.
func (h *Handlers) Webhook(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequest("POST", r.FormValue("hook"), nil) // VULN:ssrf
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
}
