// Package headers holds what the CORS extension knows of header names: the
// HTTP token syntax, the names the Fetch standard forbids, the bounded
// parser of Access-Control-Request-Headers, and the comma-separated lists
// of Vary.
package headers
