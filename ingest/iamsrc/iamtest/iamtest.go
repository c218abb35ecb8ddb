// Package iamtest is a local IAM endpoint for tests: it speaks the IAM query
// protocol (form-encoded POSTs, XML answers, policy documents URL-encoded as
// IAM sends them) for the per-principal reads `iamtrim trim` makes (GetRole,
// ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies, GetPolicy,
// GetPolicyVersion, GetUser and its group reads, ListRoles, ListUsers),
// serving an authorization-details file's content. Lists are paged two
// items at a time so that callers' pagination is exercised.
package iamtest

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/iamtrim/iamtrim/authz"
)

// Server is a running fake IAM endpoint.
type Server struct {
	URL string
	d   *authz.Details
	srv *httptest.Server

	mu      sync.Mutex
	actions []string
}

// NewFromFile serves the Details of an authorization-details JSON file.
func NewFromFile(path string) (*Server, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d authz.Details
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return New(&d), nil
}

// New serves d.
func New(d *authz.Details) *Server {
	s := &Server{d: d}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Actions returns the IAM actions called so far, in order.
func (s *Server) Actions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.actions...)
}

const ns = "https://iam.amazonaws.com/doc/2010-05-08/"

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if err != nil || r.Method != http.MethodPost {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "not a form POST")
		return
	}
	action := form.Get("Action")
	s.mu.Lock()
	s.actions = append(s.actions, action)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	res, err := s.answer(action, form)
	if err != nil {
		writeError(w, http.StatusNotFound, "NoSuchEntity", err.Error())
		return
	}
	if res == nil {
		writeError(w, http.StatusBadRequest, "InvalidAction", "unexpected action "+action)
		return
	}
	_, _ = io.WriteString(w, xml.Header)
	fmt.Fprintf(w, `<%sResponse xmlns="%s">`, action, ns)
	_ = xml.NewEncoder(w).EncodeElement(res, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	fmt.Fprintf(w, `<ResponseMetadata><RequestId>req</RequestId></ResponseMetadata></%sResponse>`, action)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req</RequestId></ErrorResponse>`,
		ns, code, xmlText(msg))
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

var errNoSuchEntity = errors.New("the entity cannot be found")

// answer returns the Result element's content for action, nil for an
// action it does not serve, or errNoSuchEntity.
func (s *Server) answer(action string, f url.Values) (any, error) {
	switch action {
	case "GetRole":
		r, ok := s.role(f.Get("RoleName"))
		if !ok {
			return nil, errNoSuchEntity
		}
		return struct {
			Role xmlRole `xml:"Role"`
		}{roleXML(r)}, nil
	case "ListRolePolicies":
		r, ok := s.role(f.Get("RoleName"))
		if !ok {
			return nil, errNoSuchEntity
		}
		return names(inlineNames(r.RolePolicyList), f), nil
	case "GetRolePolicy":
		r, ok := s.role(f.Get("RoleName"))
		if !ok {
			return nil, errNoSuchEntity
		}
		return inlineDoc(r.RolePolicyList, f.Get("PolicyName"))
	case "ListAttachedRolePolicies":
		r, ok := s.role(f.Get("RoleName"))
		if !ok {
			return nil, errNoSuchEntity
		}
		return attachedPage(r.AttachedManagedPolicies, f), nil
	case "GetUser":
		u, ok := s.user(f.Get("UserName"))
		if !ok {
			return nil, errNoSuchEntity
		}
		return struct {
			User xmlUser `xml:"User"`
		}{userXML(u)}, nil
	case "ListUserPolicies":
		u, ok := s.user(f.Get("UserName"))
		if !ok {
			return nil, errNoSuchEntity
		}
		return names(inlineNames(u.UserPolicyList), f), nil
	case "GetUserPolicy":
		u, ok := s.user(f.Get("UserName"))
		if !ok {
			return nil, errNoSuchEntity
		}
		return inlineDoc(u.UserPolicyList, f.Get("PolicyName"))
	case "ListAttachedUserPolicies":
		u, ok := s.user(f.Get("UserName"))
		if !ok {
			return nil, errNoSuchEntity
		}
		return attachedPage(u.AttachedManagedPolicies, f), nil
	case "ListGroupsForUser":
		u, ok := s.user(f.Get("UserName"))
		if !ok {
			return nil, errNoSuchEntity
		}
		var gs []xmlEntity
		for _, name := range u.GroupList {
			if g, ok := s.group(name); ok {
				gs = append(gs, xmlEntity{Path: g.Path, Name: g.GroupName, ID: g.GroupID, Arn: g.Arn, CreateDate: isoDate(g.CreateDate)})
			}
		}
		items, more, marker := page(gs, f)
		return struct {
			Groups      []groupEntity `xml:"Groups>member"`
			IsTruncated bool
			Marker      string `xml:",omitempty"`
		}{groupEntities(items), more, marker}, nil
	case "ListGroupPolicies":
		g, ok := s.group(f.Get("GroupName"))
		if !ok {
			return nil, errNoSuchEntity
		}
		return names(inlineNames(g.GroupPolicyList), f), nil
	case "GetGroupPolicy":
		g, ok := s.group(f.Get("GroupName"))
		if !ok {
			return nil, errNoSuchEntity
		}
		return inlineDoc(g.GroupPolicyList, f.Get("PolicyName"))
	case "ListAttachedGroupPolicies":
		g, ok := s.group(f.Get("GroupName"))
		if !ok {
			return nil, errNoSuchEntity
		}
		return attachedPage(g.AttachedManagedPolicies, f), nil
	case "GetPolicy":
		p, ok := s.policy(f.Get("PolicyArn"))
		if !ok {
			return nil, errNoSuchEntity
		}
		return struct {
			Policy xmlPolicy `xml:"Policy"`
		}{xmlPolicy{p.PolicyName, p.PolicyID, p.Arn, p.Path, p.DefaultVersionID, p.AttachmentCount, p.IsAttachable, isoDate(p.CreateDate), isoDate(p.UpdateDate)}}, nil
	case "GetPolicyVersion":
		p, ok := s.policy(f.Get("PolicyArn"))
		if !ok {
			return nil, errNoSuchEntity
		}
		for _, v := range p.PolicyVersionList {
			if v.VersionID == f.Get("VersionId") {
				return struct {
					V xmlVersion `xml:"PolicyVersion"`
				}{xmlVersion{EncodeDoc(v.Document), v.VersionID, v.IsDefaultVersion, isoDate(v.CreateDate)}}, nil
			}
		}
		return nil, errNoSuchEntity
	case "ListRoles":
		var es []xmlEntity
		for _, r := range s.d.RoleDetailList {
			es = append(es, xmlEntity{Path: r.Path, Name: r.RoleName, ID: r.RoleID, Arn: r.Arn, CreateDate: isoDate(r.CreateDate)})
		}
		items, more, marker := page(es, f)
		out := struct {
			Roles       []roleEntity `xml:"Roles>member"`
			IsTruncated bool
			Marker      string `xml:",omitempty"`
		}{IsTruncated: more, Marker: marker}
		for _, e := range items {
			out.Roles = append(out.Roles, roleEntity{e.Path, e.Name, e.ID, e.Arn, e.CreateDate})
		}
		return out, nil
	case "ListUsers":
		var es []xmlEntity
		for _, u := range s.d.UserDetailList {
			es = append(es, xmlEntity{Path: u.Path, Name: u.UserName, ID: u.UserID, Arn: u.Arn, CreateDate: isoDate(u.CreateDate)})
		}
		items, more, marker := page(es, f)
		out := struct {
			Users       []userEntity `xml:"Users>member"`
			IsTruncated bool
			Marker      string `xml:",omitempty"`
		}{IsTruncated: more, Marker: marker}
		for _, e := range items {
			out.Users = append(out.Users, userEntity{e.Path, e.Name, e.ID, e.Arn, e.CreateDate})
		}
		return out, nil
	}
	return nil, nil
}

func (s *Server) role(name string) (authz.RoleDetail, bool) {
	for _, r := range s.d.RoleDetailList {
		if r.RoleName == name {
			return r, true
		}
	}
	return authz.RoleDetail{}, false
}

func (s *Server) user(name string) (authz.UserDetail, bool) {
	for _, u := range s.d.UserDetailList {
		if u.UserName == name {
			return u, true
		}
	}
	return authz.UserDetail{}, false
}

func (s *Server) group(name string) (authz.GroupDetail, bool) {
	for _, g := range s.d.GroupDetailList {
		if g.GroupName == name {
			return g, true
		}
	}
	return authz.GroupDetail{}, false
}

func (s *Server) policy(arn string) (authz.PolicyDetail, bool) {
	for _, p := range s.d.Policies {
		if p.Arn == arn {
			return p, true
		}
	}
	return authz.PolicyDetail{}, false
}

// pageSize is small so that two items already make two pages.
const pageSize = 2

func page[T any](items []T, f url.Values) (out []T, more bool, marker string) {
	i, _ := strconv.Atoi(strings.TrimPrefix(f.Get("Marker"), "m"))
	if i > len(items) {
		i = len(items)
	}
	end := min(i+pageSize, len(items))
	if end < len(items) {
		return items[i:end], true, "m" + strconv.Itoa(end)
	}
	return items[i:end], false, ""
}

func inlineNames(list []authz.InlinePolicy) []string {
	var out []string
	for _, p := range list {
		out = append(out, p.PolicyName)
	}
	return out
}

func names(all []string, f url.Values) any {
	items, more, marker := page(all, f)
	return struct {
		PolicyNames []string `xml:"PolicyNames>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{items, more, marker}
}

func inlineDoc(list []authz.InlinePolicy, name string) (any, error) {
	for _, p := range list {
		if p.PolicyName == name {
			return struct{ PolicyName, PolicyDocument string }{name, EncodeDoc(p.PolicyDocument)}, nil
		}
	}
	return nil, errNoSuchEntity
}

func attachedPage(list []authz.AttachedPolicy, f url.Values) any {
	items, more, marker := page(list, f)
	type att struct{ PolicyName, PolicyArn string }
	out := struct {
		AttachedPolicies []att `xml:"AttachedPolicies>member"`
		IsTruncated      bool
		Marker           string `xml:",omitempty"`
	}{IsTruncated: more, Marker: marker}
	for _, p := range items {
		out.AttachedPolicies = append(out.AttachedPolicies, att{p.PolicyName, p.PolicyArn})
	}
	return out
}

// EncodeDoc URL-encodes a JSON document as IAM does (RFC 3986: every byte
// but the unreserved ones).
func EncodeDoc(raw json.RawMessage) string {
	if raw == nil {
		return ""
	}
	var b strings.Builder
	for _, c := range []byte(raw) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// isoDate turns the CLI's "2023-09-02T10:00:00+00:00" or "2023-09-02
// 10:00:00+00:00" into the ISO 8601 form the API sends.
func isoDate(s string) string {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05-07:00", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return ""
}

type xmlEntity struct{ Path, Name, ID, Arn, CreateDate string }

type roleEntity struct {
	Path, RoleName, RoleId, Arn string
	CreateDate                  string `xml:",omitempty"`
}

type userEntity struct {
	Path, UserName, UserId, Arn string
	CreateDate                  string `xml:",omitempty"`
}

type groupEntity struct {
	Path, GroupName, GroupId, Arn string
	CreateDate                    string `xml:",omitempty"`
}

func groupEntities(es []xmlEntity) []groupEntity {
	var out []groupEntity
	for _, e := range es {
		out = append(out, groupEntity{e.Path, e.Name, e.ID, e.Arn, e.CreateDate})
	}
	return out
}

type tag struct{ Key, Value string }

type xmlRole struct {
	Path, RoleName, RoleId, Arn string
	CreateDate                  string `xml:",omitempty"`
	AssumeRolePolicyDocument    string `xml:",omitempty"`
	PermissionsBoundary         *authz.PermissionsBoundary
	Tags                        []tag `xml:"Tags>member"`
	RoleLastUsed                *authz.RoleLastUsed
}

func roleXML(r authz.RoleDetail) xmlRole {
	x := xmlRole{r.Path, r.RoleName, r.RoleID, r.Arn, isoDate(r.CreateDate), EncodeDoc(r.AssumeRolePolicyDocument), r.PermissionsBoundary, nil, nil}
	for _, t := range r.Tags {
		x.Tags = append(x.Tags, tag{t.Key, t.Value})
	}
	if r.RoleLastUsed != nil && r.RoleLastUsed.LastUsedDate != "" {
		x.RoleLastUsed = &authz.RoleLastUsed{LastUsedDate: isoDate(r.RoleLastUsed.LastUsedDate), Region: r.RoleLastUsed.Region}
	}
	return x
}

type xmlUser struct {
	Path, UserName, UserId, Arn string
	CreateDate                  string `xml:",omitempty"`
	PermissionsBoundary         *authz.PermissionsBoundary
	Tags                        []tag `xml:"Tags>member"`
}

func userXML(u authz.UserDetail) xmlUser {
	x := xmlUser{u.Path, u.UserName, u.UserID, u.Arn, isoDate(u.CreateDate), u.PermissionsBoundary, nil}
	for _, t := range u.Tags {
		x.Tags = append(x.Tags, tag{t.Key, t.Value})
	}
	return x
}

type xmlPolicy struct {
	PolicyName, PolicyId, Arn, Path, DefaultVersionId string
	AttachmentCount                                   int
	IsAttachable                                      bool
	CreateDate                                        string `xml:",omitempty"`
	UpdateDate                                        string `xml:",omitempty"`
}

type xmlVersion struct {
	Document         string
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string `xml:",omitempty"`
}
