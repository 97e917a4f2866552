// Package origins parses serialized origins (the value of a request's Origin
// header) and the origin patterns of a CORS configuration, explains what is
// wrong with a pattern and how to write it, and matches origins against a
// compiled set of patterns.
package origins
