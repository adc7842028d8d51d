package handlers

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// File streams a file from the shared folder.
func (h *Handlers) File(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	f, err := os.Open(filepath.Join(h.BaseDir, name)) // VULN:path
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	io.Copy(w, f)
}

// FileSafe streams a file, refusing names that leave the shared folder.
func (h *Handlers) FileSafe(w http.ResponseWriter, r *http.Request) {
	name := filepath.Base(r.URL.Query().Get("name"))
	f, err := os.Open(filepath.Join(h.BaseDir, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	io.Copy(w, f)
}

// Attachment serves an attachment by path.
func (h *Handlers) Attachment(w http.ResponseWriter, r *http.Request) {
	http.ServeFile(w, r, r.FormValue("path")) // VULN:path
}

// Export writes an export file chosen by the client.
func (h *Handlers) Export(w http.ResponseWriter, r *http.Request) {
	target := "/srv/exports/" + r.FormValue("file")
	if err := os.WriteFile(target, []byte("id,total\n"), 0o644); err != nil { // VULN:path
		http.Error(w, err.Error(), 500)
	}
}

// ExportChecked refuses names with separators or dots.
func (h *Handlers) ExportChecked(w http.ResponseWriter, r *http.Request) {
	file := r.FormValue("file")
	if strings.ContainsAny(file, "/\\") || strings.Contains(file, "..") {
		http.Error(w, "bad name", 400)
		return
	}
	target := "/srv/exports/" + file
	if err := os.WriteFile(target, []byte("id,total\n"), 0o644); err != nil {
		http.Error(w, err.Error(), 500)
	}
}
