module github.com/microdot-go/microdot

go 1.26.0

// httprouter is pinned to the last commit of its master branch (2024-01-30)
// rather than to v1.3.0 (2019): master pools route parameters, so parameter
// routes allocate nothing where v1.3.0 allocates a Params slice per request.
// The module proxy serves that commit under this full pseudo-version only.
require github.com/julienschmidt/httprouter v1.3.1-0.20240130105656-484018016424

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/stretchr/testify v1.11.1
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

require (
	github.com/coder/websocket v1.8.15
	github.com/golang-jwt/jwt/v5 v5.3.1
	go.uber.org/goleak v1.3.0
	golang.org/x/net v0.62.0
	golang.org/x/time v0.16.0
)

require github.com/kr/text v0.1.0 // indirect
