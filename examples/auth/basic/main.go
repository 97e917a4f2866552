// Command basic protects a route with HTTP Basic authentication: a port of
// Microdot's examples/auth/basic_auth.py, side by side with it in
// docs/coming-from-microdot.md.
//
//	go run ./examples/auth/basic
//	curl -u susan:hello http://127.0.0.1:5000/
//
// Passwords are kept as salted PBKDF2-SHA256 hashes (crypto/pbkdf2), as
// the original does with its pbkdf2 module, and compared in constant time.
// Wrong passwords are throttled per client address.
package main

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"flag"
	"fmt"
	"log"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/auth"
)

// iterations is PBKDF2's work factor, as OWASP recommends for SHA-256.
const iterations = 600_000

// passwordHash is a salted PBKDF2-SHA256 hash and its work factor.
type passwordHash struct {
	iter      int
	salt, key []byte
}

func generatePasswordHash(password string, iter int) passwordHash {
	salt := make([]byte, 16)
	rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, iter, 32)
	if err != nil {
		panic(err) // only for out-of-range parameters, which these are not
	}
	return passwordHash{iter: iter, salt: salt, key: key}
}

func checkPasswordHash(h passwordHash, password string) bool {
	key, err := pbkdf2.Key(sha256.New, password, h.salt, h.iter, len(h.key))
	return err == nil && subtle.ConstantTimeCompare(key, h.key) == 1
}

// newApp returns the example's App for users (name -> password hash).
func newApp(users map[string]passwordHash) *microdot.App {
	app := microdot.New()
	basic := auth.NewBasic(func(req *microdot.Request, username, password string) (any, error) {
		if h, ok := users[username]; ok && checkPasswordHash(h, password) {
			return username, nil
		}
		return nil, nil
	})
	app.Get("/", basic.Required(func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(fmt.Sprintf("Hello, %s!", auth.CurrentUser(req))), nil
	}))
	return app
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "`address` to listen on")
	flag.Parse()
	app := newApp(map[string]passwordHash{
		"susan": generatePasswordHash("hello", iterations),
		"david": generatePasswordHash("bye", iterations),
	})
	fmt.Printf("try: curl -u susan:hello http://%s/\n", *addr)
	if err := app.Run(*addr); err != nil {
		log.Fatal(err)
	}
}
