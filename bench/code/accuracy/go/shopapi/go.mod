module example.com/shopapi

go 1.22

require (
	github.com/gin-gonic/gin v1.10.0
	github.com/golang-jwt/jwt/v5 v5.2.1
	github.com/lib/pq v1.10.9
	github.com/sashabaranov/go-openai v1.32.0
	github.com/tmc/langchaingo v0.1.12
)
