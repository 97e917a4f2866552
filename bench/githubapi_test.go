package bench

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
)

// route is one method + path pair in httprouter syntax (":name" segments).
type route struct {
	method string
	path   string
}

// githubAPISpec is the GitHub v3 REST API route set used by the standard Go
// router benchmark suite (julienschmidt/go-http-routing-benchmark, "GithubAll"):
// 203 routes, with the routes no router there can express (catch-all
// "*path" routes and PATCH variants) left out, exactly as in that suite.
// One route per line: METHOD PATH. Lines starting with '#' are section titles.
const githubAPISpec = `
# OAuth Authorizations
GET    /authorizations
GET    /authorizations/:id
POST   /authorizations
DELETE /authorizations/:id
GET    /applications/:client_id/tokens/:access_token
DELETE /applications/:client_id/tokens
DELETE /applications/:client_id/tokens/:access_token

# Activity
GET    /events
GET    /repos/:owner/:repo/events
GET    /networks/:owner/:repo/events
GET    /orgs/:org/events
GET    /users/:user/received_events
GET    /users/:user/received_events/public
GET    /users/:user/events
GET    /users/:user/events/public
GET    /users/:user/events/orgs/:org
GET    /feeds
GET    /notifications
GET    /repos/:owner/:repo/notifications
PUT    /notifications
PUT    /repos/:owner/:repo/notifications
GET    /notifications/threads/:id
GET    /notifications/threads/:id/subscription
PUT    /notifications/threads/:id/subscription
DELETE /notifications/threads/:id/subscription
GET    /repos/:owner/:repo/stargazers
GET    /users/:user/starred
GET    /user/starred
GET    /user/starred/:owner/:repo
PUT    /user/starred/:owner/:repo
DELETE /user/starred/:owner/:repo
GET    /repos/:owner/:repo/subscribers
GET    /users/:user/subscriptions
GET    /user/subscriptions
GET    /repos/:owner/:repo/subscription
PUT    /repos/:owner/:repo/subscription
DELETE /repos/:owner/:repo/subscription
GET    /user/subscriptions/:owner/:repo
PUT    /user/subscriptions/:owner/:repo
DELETE /user/subscriptions/:owner/:repo

# Gists
GET    /users/:user/gists
GET    /gists
GET    /gists/:id
POST   /gists
PUT    /gists/:id/star
DELETE /gists/:id/star
GET    /gists/:id/star
POST   /gists/:id/forks
DELETE /gists/:id

# Git Data
GET    /repos/:owner/:repo/git/blobs/:sha
POST   /repos/:owner/:repo/git/blobs
GET    /repos/:owner/:repo/git/commits/:sha
POST   /repos/:owner/:repo/git/commits
GET    /repos/:owner/:repo/git/refs
POST   /repos/:owner/:repo/git/refs
GET    /repos/:owner/:repo/git/tags/:sha
POST   /repos/:owner/:repo/git/tags
GET    /repos/:owner/:repo/git/trees/:sha
POST   /repos/:owner/:repo/git/trees

# Issues
GET    /issues
GET    /user/issues
GET    /orgs/:org/issues
GET    /repos/:owner/:repo/issues
GET    /repos/:owner/:repo/issues/:number
POST   /repos/:owner/:repo/issues
GET    /repos/:owner/:repo/assignees
GET    /repos/:owner/:repo/assignees/:assignee
GET    /repos/:owner/:repo/issues/:number/comments
POST   /repos/:owner/:repo/issues/:number/comments
GET    /repos/:owner/:repo/issues/:number/events
GET    /repos/:owner/:repo/labels
GET    /repos/:owner/:repo/labels/:name
POST   /repos/:owner/:repo/labels
DELETE /repos/:owner/:repo/labels/:name
GET    /repos/:owner/:repo/issues/:number/labels
POST   /repos/:owner/:repo/issues/:number/labels
DELETE /repos/:owner/:repo/issues/:number/labels/:name
PUT    /repos/:owner/:repo/issues/:number/labels
DELETE /repos/:owner/:repo/issues/:number/labels
GET    /repos/:owner/:repo/milestones/:number/labels
GET    /repos/:owner/:repo/milestones
GET    /repos/:owner/:repo/milestones/:number
POST   /repos/:owner/:repo/milestones
DELETE /repos/:owner/:repo/milestones/:number

# Miscellaneous
GET    /emojis
GET    /gitignore/templates
GET    /gitignore/templates/:name
POST   /markdown
POST   /markdown/raw
GET    /meta
GET    /rate_limit

# Organizations
GET    /users/:user/orgs
GET    /user/orgs
GET    /orgs/:org
GET    /orgs/:org/members
GET    /orgs/:org/members/:user
DELETE /orgs/:org/members/:user
GET    /orgs/:org/public_members
GET    /orgs/:org/public_members/:user
PUT    /orgs/:org/public_members/:user
DELETE /orgs/:org/public_members/:user
GET    /orgs/:org/teams
GET    /teams/:id
POST   /orgs/:org/teams
DELETE /teams/:id
GET    /teams/:id/members
GET    /teams/:id/members/:user
PUT    /teams/:id/members/:user
DELETE /teams/:id/members/:user
GET    /teams/:id/repos
GET    /teams/:id/repos/:owner/:repo
PUT    /teams/:id/repos/:owner/:repo
DELETE /teams/:id/repos/:owner/:repo
GET    /user/teams

# Pull Requests
GET    /repos/:owner/:repo/pulls
GET    /repos/:owner/:repo/pulls/:number
POST   /repos/:owner/:repo/pulls
GET    /repos/:owner/:repo/pulls/:number/commits
GET    /repos/:owner/:repo/pulls/:number/files
GET    /repos/:owner/:repo/pulls/:number/merge
PUT    /repos/:owner/:repo/pulls/:number/merge
GET    /repos/:owner/:repo/pulls/:number/comments
PUT    /repos/:owner/:repo/pulls/:number/comments

# Repositories
GET    /user/repos
GET    /users/:user/repos
GET    /orgs/:org/repos
GET    /repositories
POST   /user/repos
POST   /orgs/:org/repos
GET    /repos/:owner/:repo
GET    /repos/:owner/:repo/contributors
GET    /repos/:owner/:repo/languages
GET    /repos/:owner/:repo/teams
GET    /repos/:owner/:repo/tags
GET    /repos/:owner/:repo/branches
GET    /repos/:owner/:repo/branches/:branch
DELETE /repos/:owner/:repo
GET    /repos/:owner/:repo/collaborators
GET    /repos/:owner/:repo/collaborators/:user
PUT    /repos/:owner/:repo/collaborators/:user
DELETE /repos/:owner/:repo/collaborators/:user
GET    /repos/:owner/:repo/comments
GET    /repos/:owner/:repo/commits/:sha/comments
POST   /repos/:owner/:repo/commits/:sha/comments
GET    /repos/:owner/:repo/comments/:id
DELETE /repos/:owner/:repo/comments/:id
GET    /repos/:owner/:repo/commits
GET    /repos/:owner/:repo/commits/:sha
GET    /repos/:owner/:repo/readme
GET    /repos/:owner/:repo/keys
GET    /repos/:owner/:repo/keys/:id
POST   /repos/:owner/:repo/keys
DELETE /repos/:owner/:repo/keys/:id
GET    /repos/:owner/:repo/downloads
GET    /repos/:owner/:repo/downloads/:id
DELETE /repos/:owner/:repo/downloads/:id
GET    /repos/:owner/:repo/forks
POST   /repos/:owner/:repo/forks
GET    /repos/:owner/:repo/hooks
GET    /repos/:owner/:repo/hooks/:id
POST   /repos/:owner/:repo/hooks
POST   /repos/:owner/:repo/hooks/:id/tests
DELETE /repos/:owner/:repo/hooks/:id
POST   /repos/:owner/:repo/merges
GET    /repos/:owner/:repo/releases
GET    /repos/:owner/:repo/releases/:id
POST   /repos/:owner/:repo/releases
DELETE /repos/:owner/:repo/releases/:id
GET    /repos/:owner/:repo/releases/:id/assets
GET    /repos/:owner/:repo/stats/contributors
GET    /repos/:owner/:repo/stats/commit_activity
GET    /repos/:owner/:repo/stats/code_frequency
GET    /repos/:owner/:repo/stats/participation
GET    /repos/:owner/:repo/stats/punch_card
GET    /repos/:owner/:repo/statuses/:ref
POST   /repos/:owner/:repo/statuses/:ref

# Search
GET    /search/repositories
GET    /search/code
GET    /search/issues
GET    /search/users
GET    /legacy/issues/search/:owner/:repository/:state/:keyword
GET    /legacy/repos/search/:keyword
GET    /legacy/user/search/:keyword
GET    /legacy/user/email/:email

# Users
GET    /users/:user
GET    /user
GET    /users
GET    /user/emails
POST   /user/emails
DELETE /user/emails
GET    /users/:user/followers
GET    /user/followers
GET    /users/:user/following
GET    /user/following
GET    /user/following/:user
GET    /users/:user/following/:target_user
PUT    /user/following/:user
DELETE /user/following/:user
GET    /users/:user/keys
GET    /user/keys
GET    /user/keys/:id
POST   /user/keys
DELETE /user/keys/:id
`

// githubRouteCount is the size of the route set in the reference suite.
const githubRouteCount = 203

// githubAPI is githubAPISpec parsed, in declaration order.
var githubAPI = parseRoutes(githubAPISpec)

func parseRoutes(spec string) []route {
	var routes []route
	for line := range strings.Lines(spec) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			panic(fmt.Sprintf("bad route line %q", line))
		}
		routes = append(routes, route{method: f[0], path: f[1]})
	}
	return routes
}

// paramValues gives each path parameter a plausible concrete value for the
// requests. None of them collides with a static sibling segment, so every
// request must land on the route it was built from (TestRoutesServed checks).
var paramValues = map[string]string{
	"access_token": "e72e16c7e42f292c",
	"assignee":     "gopher",
	"branch":       "main",
	"client_id":    "3b4f1c9a",
	"email":        "gopher@golang.org",
	"id":           "1296269",
	"keyword":      "router",
	"name":         "bug",
	"number":       "1347",
	"org":          "golang",
	"owner":        "octocat",
	"ref":          "6dcb09b5b5",
	"repo":         "hello-world",
	"repository":   "hello-world",
	"sha":          "7638417db6",
	"state":        "open",
	"target_user":  "rob",
	"user":         "gopher",
}

// convertPath rewrites the ":name" segments of an httprouter-syntax path with
// f(name), e.g. to "{name}" for chi and ServeMux or "<name>" for the App.
func convertPath(path string, f func(name string) string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = f(name)
		}
	}
	return strings.Join(segs, "/")
}

func braces(name string) string { return "{" + name + "}" }
func angles(name string) string { return "<" + name + ">" }

func concrete(name string) string {
	v, ok := paramValues[name]
	if !ok {
		panic("no value for path parameter " + name)
	}
	return v
}

// newRouteRequests builds one request per route, once, outside any timed loop.
func newRouteRequests(routes []route) []*http.Request {
	reqs := make([]*http.Request, len(routes))
	for i, rt := range routes {
		reqs[i] = httptest.NewRequest(rt.method, convertPath(rt.path, concrete), nil)
	}
	return reqs
}
