package catalog

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	json "github.com/goccy/go-json"
	"github.com/iamtrim/iamtrim/internal/option"
	"github.com/iamtrim/iamtrim/internal/reject"
)

// ServiceListFile is the index document of the Service Reference layout.
const ServiceListFile = "service-list.json"

// ServiceListEntry is one element of service-list.json: a service prefix and
// the URL (absolute, or relative to the list) of its document.
type ServiceListEntry struct {
	Service string `json:"service"`
	URL     string `json:"url"`
}

// servicePrefix is what a service prefix may look like; it also keeps
// prefixes safe to use as cache file names.
var servicePrefix = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)

// serviceDoc is the part of a Service Reference document iamtrim keeps.
type serviceDoc struct {
	Name    string `json:"Name"`
	Version string `json:"Version"`
	Actions []struct {
		Name        string `json:"Name"`
		Annotations struct {
			Properties struct {
				IsList                 bool `json:"IsList"`
				IsWrite                bool `json:"IsWrite"`
				IsPermissionManagement bool `json:"IsPermissionManagement"`
				IsTaggingOnly          bool `json:"IsTaggingOnly"`
			} `json:"Properties"`
		} `json:"Annotations"`
		Resources []struct {
			Name string `json:"Name"`
		} `json:"Resources"`
		ActionConditionKeys []string `json:"ActionConditionKeys"`
		SupportedBy         struct {
			LastAccessed bool `json:"IAM Action Last Accessed"`
		} `json:"SupportedBy"`
	} `json:"Actions"`
	Resources []struct {
		Name          string   `json:"Name"`
		ARNFormats    []string `json:"ARNFormats"`
		ConditionKeys []string `json:"ConditionKeys"`
	} `json:"Resources"`
	ConditionKeys []struct {
		Name  string   `json:"Name"`
		Types []string `json:"Types"`
	} `json:"ConditionKeys"`
	Operations []struct {
		Name              string `json:"Name"`
		AuthorizedActions []struct {
			Name    string `json:"Name"`
			Service string `json:"Service"`
		} `json:"AuthorizedActions"`
	} `json:"Operations"`
}

// Parse builds a catalog from Service Reference documents keyed by a name
// used in error messages (usually the file name). A service-list.json entry
// is skipped. Every document is checked; the error lists each bad one as
// "name: what is wrong", in name order.
func Parse(docs map[string][]byte) (*Catalog, error) {
	return parse(docs, nil, Version{})
}

// parse decodes docs; want, when not nil, maps a doc key to the service the
// list says it holds.
func parse(docs map[string][]byte, want map[string]string, v Version) (*Catalog, error) {
	keys := make([]string, 0, len(docs))
	for k := range docs {
		if path.Base(filepath.ToSlash(k)) == ServiceListFile {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var errs []error
	var svcs []*service
	seen := make(map[string]string) // service -> doc key
	for _, k := range keys {
		s, err := decodeService(docs[k])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
			continue
		}
		if w, ok := want[k]; ok && w != s.name {
			errs = append(errs, fmt.Errorf("%s: service list says %q, document says %q", k, w, s.name))
			continue
		}
		if prev, dup := seen[s.name]; dup {
			errs = append(errs, fmt.Errorf("%s: service %q already defined in %s", k, s.name, prev))
			continue
		}
		seen[s.name] = k
		svcs = append(svcs, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return build(svcs, v)
}

// decodeService decodes and checks one document.
func decodeService(data []byte) (*service, error) {
	var d serviceDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if d.Name == "" {
		return nil, errors.New("no service Name")
	}
	if !servicePrefix.MatchString(d.Name) {
		return nil, fmt.Errorf("service Name %q is not a service prefix", d.Name)
	}
	s := &service{name: d.Name, docVersion: d.Version}
	for i, a := range d.Actions {
		if err := checkActionName(a.Name); err != nil {
			return nil, fmt.Errorf("entry Actions[%d]: %w", i, err)
		}
		p := a.Annotations.Properties
		act := &action{
			name:          a.Name,
			level:         accessLevel(p.IsList, p.IsWrite, p.IsPermissionManagement, p.IsTaggingOnly),
			conditionKeys: a.ActionConditionKeys,
			lastAccessed:  a.SupportedBy.LastAccessed,
		}
		for j, r := range a.Resources {
			if r.Name == "" {
				return nil, fmt.Errorf("action %s: Resources[%d]: no Name", a.Name, j)
			}
			act.resources = append(act.resources, r.Name)
		}
		s.actions = append(s.actions, act)
	}
	for i, r := range d.Resources {
		if r.Name == "" {
			return nil, fmt.Errorf("entry Resources[%d]: no Name", i)
		}
		s.resources = append(s.resources, &resource{name: r.Name, arnFormats: r.ARNFormats, conditionKeys: r.ConditionKeys})
	}
	for i, k := range d.ConditionKeys {
		if k.Name == "" {
			return nil, fmt.Errorf("entry ConditionKeys[%d]: no Name", i)
		}
		s.conditionKeys = append(s.conditionKeys, ConditionKey{Name: k.Name, Types: k.Types})
	}
	for i, o := range d.Operations {
		if o.Name == "" {
			return nil, fmt.Errorf("entry Operations[%d]: no Name", i)
		}
		op := &operation{name: o.Name}
		for _, aa := range o.AuthorizedActions {
			if aa.Service == "" || aa.Name == "" {
				return nil, fmt.Errorf("operation %s: AuthorizedActions entry without Service or Name", o.Name)
			}
			op.authorized = append(op.authorized, strings.ToLower(aa.Service)+":"+aa.Name)
		}
		s.operations = append(s.operations, op)
	}
	return s, nil
}

func checkActionName(n string) error {
	if n == "" {
		return errors.New("no Name")
	}
	if strings.ContainsAny(n, ":*? \t\r\n") {
		return fmt.Errorf("action Name %q holds a colon, wildcard or space", n)
	}
	return nil
}

// accessLevel maps the Annotations.Properties flags to an access level.
// AWS sets IsWrite together with IsTaggingOnly or IsPermissionManagement;
// the narrower flag wins. All false means Read.
func accessLevel(isList, isWrite, isPermissionManagement, isTaggingOnly bool) AccessLevel {
	switch {
	case isTaggingOnly:
		return Tagging
	case isPermissionManagement:
		return PermissionsManagement
	case isList:
		return List
	case isWrite:
		return Write
	default:
		return Read
	}
}

// build normalizes services (every list sorted by name), indexes them and
// computes the digest. It is shared by Parse and LoadCurrent, so a catalog
// read back from the database has the digest it was stored with.
func build(svcs []*service, v Version) (*Catalog, error) {
	c := &Catalog{
		byName:  make(map[string]*service, len(svcs)),
		actions: make(map[string]*action),
	}
	slices.SortFunc(svcs, byNameCmp(func(s *service) string { return s.name }))
	for _, s := range svcs {
		if _, dup := c.byName[s.name]; dup {
			return nil, fmt.Errorf("service %q defined twice", s.name)
		}
		c.byName[s.name] = s
		slices.SortFunc(s.actions, byNameCmp(func(a *action) string { return a.name }))
		slices.SortFunc(s.resources, byNameCmp(func(r *resource) string { return r.name }))
		slices.SortFunc(s.conditionKeys, byNameCmp(func(k ConditionKey) string { return k.Name }))
		slices.SortFunc(s.operations, byNameCmp(func(o *operation) string { return o.name }))

		// Empty lists are nil whichever way the catalog was read.
		for _, a := range s.actions {
			a.resources, a.conditionKeys = nilIfEmpty(a.resources), nilIfEmpty(a.conditionKeys)
		}
		for _, r := range s.resources {
			r.arnFormats, r.conditionKeys = nilIfEmpty(r.arnFormats), nilIfEmpty(r.conditionKeys)
		}
		for i := range s.conditionKeys {
			s.conditionKeys[i].Types = nilIfEmpty(s.conditionKeys[i].Types)
		}

		s.names = make([]string, len(s.actions))
		s.lower = make([]lowerEntry, len(s.actions))
		for i, a := range s.actions {
			a.svc = s
			a.full = s.name + ":" + a.name
			key := strings.ToLower(a.full)
			if prev, dup := c.actions[key]; dup {
				return nil, fmt.Errorf("service %s: action %s defined twice (also as %s)", s.name, a.name, prev.name)
			}
			c.actions[key] = a
			s.names[i] = a.full
			s.lower[i] = lowerEntry{name: strings.ToLower(a.name), a: a}
		}
		slices.Sort(s.names)
		slices.SortFunc(s.lower, func(x, y lowerEntry) int { return strings.Compare(x.name, y.name) })

		s.resByName = make(map[string]*resource, len(s.resources))
		for _, r := range s.resources {
			k := strings.ToLower(r.name)
			if _, dup := s.resByName[k]; dup {
				return nil, fmt.Errorf("service %s: resource type %q defined twice", s.name, r.name)
			}
			s.resByName[k] = r
		}
		s.opByName = make(map[string]*operation, len(s.operations))
		for _, o := range s.operations {
			k := strings.ToLower(o.name)
			if _, dup := s.opByName[k]; dup {
				return nil, fmt.Errorf("service %s: operation %q defined twice", s.name, o.name)
			}
			s.opByName[k] = o
		}
		c.services = append(c.services, s)
	}
	c.all = make([]string, 0, len(c.actions))
	for _, s := range c.services {
		c.all = append(c.all, s.names...)
	}
	slices.Sort(c.all)

	// Operations name actions of any service, in whatever case; canonicalize
	// the ones the catalog knows and keep the rest as published.
	for _, s := range c.services {
		for _, o := range s.operations {
			seen := make(map[string]bool, len(o.authorized))
			out := o.authorized[:0]
			for _, n := range o.authorized {
				if a := c.actions[strings.ToLower(n)]; a != nil {
					n = a.full
				}
				if k := strings.ToLower(n); !seen[k] {
					seen[k] = true
					out = append(out, n)
				}
			}
			o.authorized = nilIfEmpty(out)
		}
	}

	v.Digest = c.digest()
	v.Services = len(c.services)
	v.Actions = len(c.actions)
	c.version = v
	return c, nil
}

// digestFormat changes whenever what the digest covers changes.
const digestFormat = "iamtrim-catalog/1"

// digest hashes the normalized content, length-prefixing every field so no
// two catalogs share an encoding.
func (c *Catalog) digest() string {
	h := sha256.New()
	d := digester{h: h}
	d.str(digestFormat)
	d.num(len(c.services))
	for _, s := range c.services {
		d.str("S")
		d.str(s.name)
		d.str(s.docVersion)
		d.num(len(s.actions))
		for _, a := range s.actions {
			d.str(a.name)
			d.str(string(a.level))
			d.strs(a.resources)
			d.strs(a.conditionKeys)
			if a.lastAccessed {
				// Only when set, so catalogs without the field keep
				// their digest; no action is named so.
				d.str("+last-accessed")
			}
		}
		d.num(len(s.resources))
		for _, r := range s.resources {
			d.str(r.name)
			d.strs(r.arnFormats)
			d.strs(r.conditionKeys)
		}
		d.num(len(s.conditionKeys))
		for _, k := range s.conditionKeys {
			d.str(k.Name)
			d.strs(k.Types)
		}
		d.num(len(s.operations))
		for _, o := range s.operations {
			d.str(o.name)
			d.strs(o.authorized)
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

type digester struct {
	h   hash.Hash
	buf []byte
}

func (d *digester) num(n int) {
	d.buf = binary.AppendUvarint(d.buf[:0], uint64(n))
	d.h.Write(d.buf)
}

func (d *digester) str(s string) {
	d.num(len(s))
	d.h.Write([]byte(s))
}

func (d *digester) strs(ss []string) {
	d.num(len(ss))
	for _, s := range ss {
		d.str(s)
	}
}

// LoadDir reads a catalog in the Service Reference layout: service-list.json
// and the documents it names (by the last path element of each url, so a
// list with absolute AWS URLs works for a mirrored directory too). A
// directory without service-list.json is read as every *.json file in it.
// The version's Source is the absolute directory and FetchedAt the newest
// modification time among the files read.
func LoadDir(dir string) (*Catalog, error) {
	return loadDir(dir, nil)
}

// LoadFS reads the service documents (*.json) in directory dir of fsys, as
// LoadDir does a directory without a service list; the version's Source is
// source and FetchedAt the Unix epoch (a bundled copy is never fresh).
func LoadFS(fsys fs.FS, dir, source string) (*Catalog, error) {
	matches, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("load catalog %s: %w", source, err)
	}
	docs := make(map[string][]byte, len(matches))
	for _, m := range matches {
		data, err := fs.ReadFile(fsys, m)
		if err != nil {
			return nil, fmt.Errorf("load catalog %s: %w", source, err)
		}
		docs[m] = data
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("load catalog %s: no service documents", source)
	}
	c, err := parse(docs, map[string]string{}, Version{Source: source, FetchedAt: time.Unix(0, 0).UTC()})
	if err != nil {
		return nil, fmt.Errorf("load catalog %s:\n%w", source, err)
	}
	return c, nil
}

// loadDir is LoadDir with the version's Source and FetchedAt given (when v
// is not nil).
func loadDir(dir string, v *Version) (*Catalog, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("load catalog %s: %w", dir, err)
	}
	// A path that is no catalog directory is a bad argument (a usage
	// error), not a failure to read one.
	if fi, err := os.Stat(abs); err != nil {
		return nil, option.Errorf("load catalog: %w", err)
	} else if !fi.IsDir() {
		return nil, option.Errorf("load catalog %s: not a directory", abs)
	}
	files, want, err := dirFiles(abs)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, option.Errorf("load catalog %s: no service documents (%s and one JSON per service)", abs, ServiceListFile)
	}
	docs := make(map[string][]byte, len(files))
	var newest time.Time
	for _, f := range files {
		p := filepath.Join(abs, f)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("load catalog: %w", err)
		}
		if fi, err := os.Stat(p); err == nil && fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
		docs[p] = data
	}
	wantByPath := make(map[string]string, len(want))
	for f, s := range want {
		wantByPath[filepath.Join(abs, f)] = s
	}
	ver := Version{Source: abs, FetchedAt: newest.UTC()}
	if v != nil {
		ver = *v
	}
	c, err := parse(docs, wantByPath, ver)
	if err != nil {
		return nil, &RejectedError{Dir: abs, Err: err}
	}
	return c, nil
}

// RejectedError is a catalog directory whose documents could not be read
// as the Service Reference's: bad input (the CLI's exit 3), not a failure
// of iamtrim's.
type RejectedError struct {
	Dir string
	Err error
}

// RejectedInput marks it a rejected input (exit 3).
func (*RejectedError) RejectedInput() {}

var _ reject.Input = (*RejectedError)(nil)

func (e *RejectedError) Error() string { return fmt.Sprintf("load catalog %s:\n%v", e.Dir, e.Err) }
func (e *RejectedError) Unwrap() error { return e.Err }

// dirFiles returns the document file names of a catalog directory and, when
// it has a service list, which service each file should hold.
func dirFiles(dir string) (files []string, want map[string]string, err error) {
	listPath := filepath.Join(dir, ServiceListFile)
	data, err := os.ReadFile(listPath)
	if errors.Is(err, fs.ErrNotExist) {
		matches, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return nil, nil, fmt.Errorf("list %s: %w", dir, err)
		}
		for _, m := range matches {
			if b := filepath.Base(m); !strings.HasPrefix(b, ".") {
				files = append(files, b)
			}
		}
		return files, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", listPath, err)
	}
	list, err := decodeServiceList(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", listPath, err)
	}
	want = make(map[string]string, len(list))
	for _, e := range list {
		f, err := listFileName(e)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", listPath, err)
		}
		if prev, dup := want[f]; dup {
			return nil, nil, fmt.Errorf("%s: services %q and %q share file %s", listPath, prev, e.Service, f)
		}
		want[f] = e.Service
		files = append(files, f)
	}
	return files, want, nil
}

// decodeServiceList decodes and checks service-list.json.
func decodeServiceList(data []byte) ([]ServiceListEntry, error) {
	var list []ServiceListEntry
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("decode service list: %w", err)
	}
	seen := make(map[string]bool, len(list))
	for i, e := range list {
		if !servicePrefix.MatchString(e.Service) {
			return nil, fmt.Errorf("entry %d: service %q is not a service prefix", i, e.Service)
		}
		if e.URL == "" {
			return nil, fmt.Errorf("entry %d (%s): no url", i, e.Service)
		}
		if seen[e.Service] {
			return nil, fmt.Errorf("entry %d: service %q listed twice", i, e.Service)
		}
		seen[e.Service] = true
	}
	return list, nil
}

// listFileName is the local file an entry's url names: its last path
// element, which must be a plain *.json name.
func listFileName(e ServiceListEntry) (string, error) {
	u := e.URL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	f := path.Base(u)
	if !strings.HasSuffix(f, ".json") || f == ServiceListFile || strings.HasPrefix(f, ".") || strings.ContainsAny(f, `\/`) {
		return "", fmt.Errorf("service %s: url %q does not name a .json document", e.Service, e.URL)
	}
	return f, nil
}
