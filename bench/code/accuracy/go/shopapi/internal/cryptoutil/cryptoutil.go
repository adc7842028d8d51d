// Package cryptoutil holds the password and token helpers.
package cryptoutil

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"io"
	mrand "math/rand"

	"golang.org/x/crypto/bcrypt"
)

var staticIV = []byte("fedcba9876543210")

// HashPassword is the legacy password hash.
func HashPassword(password string) string {
	sum := md5.Sum([]byte(password)) // VULN:weak-hash
	return hex.EncodeToString(sum[:])
}

// HashPasswordSHA1 is the second legacy password hash.
func HashPasswordSHA1(password, salt string) string {
	sum := sha1.Sum([]byte(salt + password)) // VULN:weak-hash
	return hex.EncodeToString(sum[:])
}

// HashPasswordBcrypt is the current password hash.
func HashPasswordBcrypt(password string) ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
}

// ContentID names a blob by its content.
func ContentID(blob []byte) string {
	sum := sha256.Sum256(blob)
	return hex.EncodeToString(sum[:])
}

// NewAPIKey returns a random API key.
func NewAPIKey() string {
	b := make([]byte, 32)
	for i := range b {
		b[i] = byte(mrand.Intn(256)) // VULN:weak-random
	}
	return hex.EncodeToString(b)
}

// NewAPIKeySecure returns a random API key from crypto/rand.
func NewAPIKeySecure() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// RetryDelay spreads retries.
func RetryDelay(base int) int {
	return base + mrand.Intn(100)
}

// Encrypt encrypts with AES-CBC and a fixed IV.
func Encrypt(key, plaintext []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(plaintext))
	cipher.NewCBCEncrypter(block, staticIV).CryptBlocks(out, plaintext) // VULN:static-iv
	return out, nil
}

// EncryptRandomIV encrypts with AES-CBC and a random IV prepended.
func EncryptRandomIV(key, plaintext []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	iv := make([]byte, aes.BlockSize)
	if _, err := io.ReadFull(rand.Reader, iv); err != nil {
		return nil, err
	}
	out := make([]byte, len(plaintext))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, plaintext)
	return append(iv, out...), nil
}
