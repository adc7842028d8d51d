package main

import (
	"log"
	"net/http"

	"example.com/shopapi/internal/handlers"
)

var allowedOrigins = map[string]bool{
	"https://shop.example.com":  true,
	"https://admin.example.com": true,
}

func withCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*") // VULN:cors
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		next.ServeHTTP(w, r)
	})
}

func withCheckedCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if allowedOrigins[origin] {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Vary", "Origin")
		}
		next.ServeHTTP(w, r)
	})
}

func main() {
	h := handlers.New()
	mux := http.NewServeMux()
	mux.HandleFunc("/ping", h.Ping)
	mux.HandleFunc("/ping-safe", h.PingSafe)
	mux.HandleFunc("/orders", h.Orders)
	mux.HandleFunc("/orders-safe", h.OrdersSafe)
	mux.HandleFunc("/files", h.File)
	mux.HandleFunc("/files-safe", h.FileSafe)
	mux.HandleFunc("/fetch", h.Fetch)
	mux.HandleFunc("/fetch-safe", h.FetchSafe)
	mux.HandleFunc("/hello", h.Hello)
	mux.HandleFunc("/hello-safe", h.HelloSafe)
	log.Fatal(http.ListenAndServe(":8080", withCORS(mux)))
}

func adminServer(mux *http.ServeMux) error {
	return http.ListenAndServe(":8081", withCheckedCORS(mux))
}
