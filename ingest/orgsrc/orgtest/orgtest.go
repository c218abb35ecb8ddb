// Package orgtest is an in-process stand-in for AWS Organizations that
// speaks its wire protocol (AWS JSON 1.1, X-Amz-Target
// AWSOrganizationsV20161128.*), serving an org.File, for tests that drive
// the real SDK client: it pages every list (PageSize items a page,
// NextToken), can answer TooManyRequestsException to every n-th call, and
// can deny every call as Organizations does outside the management
// account.
package orgtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/iamtrim/iamtrim/org"
)

// Server is a fake Organizations endpoint.
type Server struct {
	URL string
	// PageSize is the number of items a list page holds (default 2).
	PageSize int
	// ThrottleEvery makes every n-th call fail with
	// TooManyRequestsException (0: never).
	ThrottleEvery atomic.Int64
	// Deny makes every call fail with AccessDeniedException.
	Deny atomic.Bool
	// RCPsOff answers PolicyTypeNotEnabledException to RCP listings.
	RCPsOff bool
	// Calls and Throttled count calls (throttled ones included).
	Calls, Throttled atomic.Int64

	srv  *httptest.Server
	file org.File
	mu   sync.Mutex
	ops  map[string]int
}

// ReadFile reads an organisation file (layout org.File) as it is, for
// New: unchecked, so a test can serve a broken organisation too.
func ReadFile(path string) (org.File, error) {
	var f org.File
	data, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	err = json.Unmarshal(data, &f)
	return f, err
}

// New serves f.
func New(f org.File) *Server {
	s := &Server{file: f, PageSize: 2, ops: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Ops returns how many calls each operation received.
func (s *Server) Ops() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.ops {
		out[k] = v
	}
	return out
}

func jsonError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "Message": msg})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSOrganizationsV20161128.")
	if !ok {
		jsonError(w, "UnknownOperationException", r.Header.Get("X-Amz-Target"))
		return
	}
	n := s.Calls.Add(1)
	s.mu.Lock()
	s.ops[op]++
	s.mu.Unlock()
	if every := s.ThrottleEvery.Load(); every > 0 && n%every == 0 {
		s.Throttled.Add(1)
		jsonError(w, "TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress. Try again later.")
		return
	}
	if s.Deny.Load() {
		jsonError(w, "AccessDeniedException", "You don't have permissions to access this resource.")
		return
	}
	var in struct {
		ParentID  string `json:"ParentId"`
		TargetID  string `json:"TargetId"`
		PolicyID  string `json:"PolicyId"`
		Filter    string
		NextToken string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		jsonError(w, "InvalidInputException", err.Error())
		return
	}
	f := s.file
	var out any
	switch op {
	case "DescribeOrganization":
		out = map[string]any{"Organization": map[string]string{"Id": f.Organization.ID, "MasterAccountId": f.Organization.MasterAccountID}}
	case "ListRoots":
		var items []any
		for _, r := range f.Roots {
			items = append(items, map[string]string{"Id": r.ID, "Name": r.Name})
		}
		out = s.page("Roots", items, in.NextToken)
	case "ListOrganizationalUnitsForParent":
		var items []any
		for _, u := range f.OrganizationalUnits {
			if u.ParentID == in.ParentID {
				items = append(items, map[string]string{"Id": u.ID, "Name": u.Name})
			}
		}
		out = s.page("OrganizationalUnits", items, in.NextToken)
	case "ListAccountsForParent":
		var items []any
		for _, a := range f.Accounts {
			if a.ParentID == in.ParentID {
				items = append(items, map[string]string{"Id": a.ID, "Name": a.Name, "Status": a.Status})
			}
		}
		out = s.page("Accounts", items, in.NextToken)
	case "ListPoliciesForTarget":
		if in.Filter == org.TypeRCP && s.RCPsOff {
			jsonError(w, "PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types.")
			return
		}
		var items []any
		for _, id := range f.Targets[in.TargetID] {
			for _, p := range f.Policies {
				if p.PolicySummary.ID == id && p.PolicySummary.Type == in.Filter {
					items = append(items, p.PolicySummary)
				}
			}
		}
		out = s.page("Policies", items, in.NextToken)
	case "DescribePolicy":
		for _, p := range f.Policies {
			if p.PolicySummary.ID == in.PolicyID {
				out = map[string]any{"Policy": p}
			}
		}
		if out == nil {
			jsonError(w, "PolicyNotFoundException", "no policy "+in.PolicyID)
			return
		}
	default:
		jsonError(w, "UnknownOperationException", op)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// page returns one page of items under key, from the offset the token
// holds.
func (s *Server) page(key string, items []any, token string) map[string]any {
	off, _ := strconv.Atoi(token)
	size := max(s.PageSize, 1)
	end := min(off+size, len(items))
	if off > end {
		off = end
	}
	out := map[string]any{key: items[off:end]}
	if end < len(items) {
		out["NextToken"] = strconv.Itoa(end)
	}
	if items == nil {
		out[key] = []any{}
	}
	return out
}
