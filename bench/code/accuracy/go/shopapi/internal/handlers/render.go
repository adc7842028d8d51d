package handlers

import (
	htmltemplate "html/template"
	"net/http"
	texttemplate "text/template"
)

var profileTmpl = htmltemplate.Must(htmltemplate.New("profile").Parse(`<div class="bio">{{.Bio}}</div>`))

type profile struct {
	Bio any
}

// Profile renders the user's bio, trusting it as HTML.
func (h *Handlers) Profile(w http.ResponseWriter, r *http.Request) {
	bio := r.FormValue("bio")
	profileTmpl.Execute(w, profile{Bio: htmltemplate.HTML(bio)}) // VULN:xss
}

// ProfileEscaped renders the bio as text; html/template escapes it.
func (h *Handlers) ProfileEscaped(w http.ResponseWriter, r *http.Request) {
	bio := r.FormValue("bio")
	profileTmpl.Execute(w, profile{Bio: bio})
}

// Preview renders a notification template written by the caller.
func (h *Handlers) Preview(w http.ResponseWriter, r *http.Request) {
	t, err := texttemplate.New("preview").Parse(r.FormValue("template")) // VULN:ssti
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	t.Execute(w, map[string]string{"Shop": "Acme"})
}

// PreviewFixed renders the fixed notification template with the caller's name.
func (h *Handlers) PreviewFixed(w http.ResponseWriter, r *http.Request) {
	t := texttemplate.Must(texttemplate.New("preview").Parse("Hello {{.Name}}, your order shipped."))
	t.Execute(w, map[string]string{"Name": r.FormValue("name")})
}
