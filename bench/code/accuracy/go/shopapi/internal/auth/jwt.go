// Package auth issues and checks session tokens.
package auth

import (
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issue signs a session token with the built-in key.
func Issue(userID string) (string, error) {
	claims := jwt.MapClaims{"sub": userID, "exp": time.Now().Add(time.Hour).Unix()}
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	return token.SignedString([]byte("shopapi-secret")) // VULN:jwt-secret
}

// IssueEnv signs a session token with the key from the environment.
func IssueEnv(userID string) (string, error) {
	claims := jwt.MapClaims{"sub": userID, "exp": time.Now().Add(time.Hour).Unix()}
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	return token.SignedString([]byte(os.Getenv("JWT_SECRET")))
}
