// Package llm wires the shop assistant to OpenAI.
package llm

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Assistant answers shop questions.
type Assistant struct {
	Client *openai.Client
	DB     *sql.DB
}

// NewAssistant builds the assistant from the environment.
func NewAssistant(db *sql.DB) *Assistant {
	return &Assistant{Client: openai.NewClient(os.Getenv("OPENAI_API_KEY")), DB: db}
}

var tones = map[string]string{"friendly": "Be friendly.", "formal": "Be formal."}

// Ask puts the caller's tone instructions in the system prompt.
func (a *Assistant) Ask(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	resp, err := a.Client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{ // VULN:prompt-injection
		Model:     openai.GPT4oMini,
		MaxTokens: 400,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "You are the shop assistant. " + r.FormValue("instructions")},
			{Role: openai.ChatMessageRoleUser, Content: r.FormValue("question")},
		},
	})
	if err != nil {
		http.Error(w, err.Error(), 502)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"answer": resp.Choices[0].Message.Content})
}

// AskTone only accepts known tones.
func (a *Assistant) AskTone(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	tone, ok := tones[r.FormValue("tone")]
	if !ok {
		tone = tones["friendly"]
	}
	resp, err := a.Client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model:     openai.GPT4oMini,
		MaxTokens: 400,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "You are the shop assistant. " + tone},
			{Role: openai.ChatMessageRoleUser, Content: r.FormValue("question")},
		},
	})
	if err != nil {
		http.Error(w, err.Error(), 502)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"answer": resp.Choices[0].Message.Content})
}

// Fix asks the model for a command and runs it.
func (a *Assistant) Fix(ctx context.Context, errorLog string) ([]byte, error) {
	resp, err := a.Client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model:     openai.GPT4oMini,
		MaxTokens: 100,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "Reply with one shell command that fixes the error."},
			{Role: openai.ChatMessageRoleUser, Content: errorLog},
		},
	})
	if err != nil {
		return nil, err
	}
	command := resp.Choices[0].Message.Content
	return exec.Command("sh", "-c", command).CombinedOutput() // VULN:llm-output
}

// Explain asks the model to explain an error and records the explanation.
func (a *Assistant) Explain(ctx context.Context, errorLog string) error {
	resp, err := a.Client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model:     openai.GPT4oMini,
		MaxTokens: 300,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "Explain the error in one paragraph."},
			{Role: openai.ChatMessageRoleUser, Content: errorLog},
		},
	})
	if err != nil {
		return err
	}
	_, err = a.DB.ExecContext(ctx, "INSERT INTO explanations(text) VALUES ($1)", resp.Choices[0].Message.Content)
	return err
}

// Unbounded answers without a token limit or deadline.
func (a *Assistant) Unbounded(w http.ResponseWriter, r *http.Request) {
	resp, err := a.Client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{ // VULN:llm-dos
		Model: openai.GPT4o,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleUser, Content: r.FormValue("question")},
		},
	})
	if err != nil {
		http.Error(w, err.Error(), 502)
		return
	}
	w.Write([]byte(resp.Choices[0].Message.Content))
}
