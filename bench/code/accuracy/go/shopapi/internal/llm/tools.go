package llm

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

type toolArgs struct {
	Path string `json:"path"`
	URL  string `json:"url"`
}

const workspace = "/srv/workspace"

func (a *Assistant) nextCall(ctx context.Context, history []openai.ChatCompletionMessage) (string, toolArgs, error) {
	resp, err := a.Client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: openai.GPT4o, MaxTokens: 300, Messages: history})
	if err != nil {
		return "", toolArgs{}, err
	}
	call := resp.Choices[0].Message.ToolCalls[0]
	var args toolArgs
	err = json.Unmarshal([]byte(call.Function.Arguments), &args)
	return call.Function.Name, args, err
}

// RunTool executes the tool the model asked for.
func (a *Assistant) RunTool(ctx context.Context, history []openai.ChatCompletionMessage) ([]byte, error) {
	name, args, err := a.nextCall(ctx, history)
	if err != nil {
		return nil, err
	}
	switch name {
	case "read":
		return os.ReadFile(args.Path) // VULN:llm-output
	case "fetch":
		resp, err := http.Get(args.URL) // VULN:llm-output
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}
	return nil, nil
}

// RunToolRestricted keeps file reads inside the workspace and fetches one fixed API.
func (a *Assistant) RunToolRestricted(ctx context.Context, history []openai.ChatCompletionMessage) ([]byte, error) {
	name, args, err := a.nextCall(ctx, history)
	if err != nil {
		return nil, err
	}
	switch name {
	case "read":
		p := filepath.Join(workspace, filepath.Clean("/"+args.Path))
		if !strings.HasPrefix(p, workspace+"/") {
			return nil, os.ErrPermission
		}
		return os.ReadFile(p)
	case "fetch":
		resp, err := http.Get("https://status.example.com/api/summary")
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}
	return nil, nil
}
