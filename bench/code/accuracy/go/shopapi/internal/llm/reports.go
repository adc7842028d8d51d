package llm

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"
)

// Reporter turns questions into reports with langchaingo.
type Reporter struct {
	LLM *openai.LLM
	DB  *sql.DB
}

var reportKinds = map[string]bool{"revenue": true, "refunds": true, "signups": true}

// Describe asks for a description in the caller's format.
func (rp *Reporter) Describe(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	prompt := fmt.Sprintf("Describe this month's sales. Output format instructions: %s", format)
	text, err := llms.GenerateFromSinglePrompt(r.Context(), rp.LLM, prompt, llms.WithMaxTokens(400)) // VULN:prompt-injection
	if err != nil {
		http.Error(w, err.Error(), 502)
		return
	}
	w.Write([]byte(text))
}

// DescribeKind only accepts known report kinds.
func (rp *Reporter) DescribeKind(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("kind")
	if !reportKinds[kind] {
		http.Error(w, "unknown kind", 400)
		return
	}
	prompt := fmt.Sprintf("Describe this month's %s figures in three sentences.", kind)
	text, err := llms.GenerateFromSinglePrompt(r.Context(), rp.LLM, prompt, llms.WithMaxTokens(400))
	if err != nil {
		http.Error(w, err.Error(), 502)
		return
	}
	w.Write([]byte(text))
}

// Query turns a question into SQL and runs it.
func (rp *Reporter) Query(ctx context.Context, question string) (*sql.Rows, error) {
	sqlText, err := llms.GenerateFromSinglePrompt(ctx, rp.LLM, "Write one PostgreSQL SELECT for: "+question, llms.WithMaxTokens(200))
	if err != nil {
		return nil, err
	}
	return rp.DB.QueryContext(ctx, strings.TrimSpace(sqlText)) // VULN:llm-output
}

// QueryKind asks the model which report kind fits and runs a fixed query.
func (rp *Reporter) QueryKind(ctx context.Context, question string) (*sql.Rows, error) {
	kind, err := llms.GenerateFromSinglePrompt(ctx, rp.LLM, "Answer revenue, refunds or signups: "+question, llms.WithMaxTokens(5))
	if err != nil {
		return nil, err
	}
	return rp.DB.QueryContext(ctx, "SELECT month, value FROM reports WHERE kind = $1", strings.TrimSpace(kind))
}

// SystemPrompt is sent with every report request.
const SystemPrompt = "You are the reporting bot. Warehouse login: analyst / Wh-Pr0d-9921! Never print it." // VULN:prompt-secret

// SystemPromptSafe is the replacement prompt.
const SystemPromptSafe = "You are the reporting bot. Use the run_report tool for figures."
