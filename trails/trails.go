package trails

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/iamtrim/iamtrim/internal/reject"
)

// Status says whether CloudTrail logged a kind of event.
type Status int

const (
	// Unknown: the trail configuration is not known.
	Unknown Status = iota
	// Logged: some trail records these events.
	Logged
	// Partly: some trail records these events for some resources only.
	Partly
	// NotLogged: no trail records these events.
	NotLogged
)

func (s Status) String() string {
	switch s {
	case Logged:
		return "logged"
	case Partly:
		return "partly logged"
	case NotLogged:
		return "not logged"
	}
	return "unknown"
}

// Config is what the account's trails log.
type Config struct {
	// Known is false when no configuration was given.
	Known  bool
	Source string
	Trails []Trail
}

// Trail is one trail and what it selects.
type Trail struct {
	Name, ARN, HomeRegion string
	MultiRegion           bool
	Organization          bool
	// Management is true when the trail logs management events;
	// AllManagement when it logs all of them (read and write, no event
	// source left out). GlobalEvents: global service events (IAM, STS,
	// CloudFront, Route 53, ...) are included.
	Management    bool
	AllManagement bool
	GlobalEvents  bool
	Data          []Selector
}

// Selector selects data events of one resource type.
type Selector struct {
	ResourceType string // AWS::S3::Object, AWS::Lambda::Function, ...
	// ReadOnly nil means read and write events; otherwise only those.
	ReadOnly *bool
	// Prefixes of resource ARNs; empty means every resource of the type.
	Prefixes    []string
	NotPrefixes []string
}

// Unknown returns the configuration used when none is known.
func UnknownConfig() *Config { return &Config{Known: false, Source: "unknown"} }

// DataLogged says whether data events of resourceType are logged: for one
// resource ARN when arn is not empty, else for the type as a whole (Partly
// when only some resources are).
func (c *Config) DataLogged(resourceType, arn string) Status {
	if c == nil || !c.Known {
		return Unknown
	}
	best := NotLogged
	for _, t := range c.Trails {
		for _, s := range t.Data {
			if !strings.EqualFold(s.ResourceType, resourceType) {
				continue
			}
			full := len(s.Prefixes) == 0 && len(s.NotPrefixes) == 0 && s.ReadOnly == nil
			if arn == "" {
				if full {
					return Logged
				}
				best = Partly
				continue
			}
			if s.matches(arn) {
				if s.ReadOnly == nil {
					return Logged
				}
				best = Partly
			}
		}
	}
	return best
}

func (s Selector) matches(arn string) bool {
	for _, p := range s.NotPrefixes {
		if strings.HasPrefix(arn, p) {
			return false
		}
	}
	if len(s.Prefixes) == 0 {
		return true
	}
	for _, p := range s.Prefixes {
		if strings.HasPrefix(arn, p) || p == arn {
			return true
		}
	}
	return false
}

// AllManagementEverywhere says whether some trail logs every management
// event of every region, global service events included: then a service
// with no event in the logs was not called.
func (c *Config) AllManagementEverywhere() bool {
	if c == nil || !c.Known {
		return false
	}
	for _, t := range c.Trails {
		if t.AllManagement && t.MultiRegion && t.GlobalEvents {
			return true
		}
	}
	return false
}

// ManagementLogged says whether any trail logs management events.
func (c *Config) ManagementLogged() Status {
	if c == nil || !c.Known {
		return Unknown
	}
	for _, t := range c.Trails {
		if t.Management {
			return Logged
		}
	}
	return NotLogged
}

// wire shapes: describe-trails, get-event-selectors, and merged files.
type wireTrail struct {
	Name                string
	TrailARN            string
	HomeRegion          string
	IsMultiRegionTrail  bool
	IsOrganizationTrail bool
	// IncludeGlobalServiceEvents nil (not in the saved output) counts as
	// true, the CloudTrail default.
	IncludeGlobalServiceEvents *bool
	EventSelectors             []wireSelector
	AdvancedEventSelectors     []wireAdvanced
	HasCustomEventSelectors    *bool
}

type wireSelector struct {
	ReadWriteType           string
	IncludeManagementEvents *bool
	DataResources           []struct {
		Type   string
		Values []string
	}
}

type wireAdvanced struct {
	Name           string
	FieldSelectors []struct {
		Field         string
		Equals        []string
		StartsWith    []string
		NotStartsWith []string
		NotEquals     []string
		EndsWith      []string
		NotEndsWith   []string
	}
}

type wireSelectorsOutput struct {
	TrailARN               string
	EventSelectors         []wireSelector
	AdvancedEventSelectors []wireAdvanced
}

// A RejectedError is a file that is not there or holds no trail
// configuration (malformed JSON, another kind of document): a rejected
// input, not a failure to read it.
type RejectedError struct {
	Path string
	Err  error
}

// RejectedInput marks it a rejected input (exit 3).
func (*RejectedError) RejectedInput() {}

var _ reject.Input = (*RejectedError)(nil)

func (e *RejectedError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *RejectedError) Unwrap() error { return e.Err }

// ParseFile reads a saved trail configuration; what is read but cannot be
// parsed is a *RejectedError.
func ParseFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) { // a named input that is not there
		return nil, &RejectedError{Path: path, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read trail configuration: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, &RejectedError{Path: path, Err: err}
	}
	cfg.Source = path
	return cfg, nil
}

// Parse reads trail configuration in the shapes people save it:
// describe-trails output ({"trailList": [...]}), get-event-selectors output
// ({"TrailARN", "EventSelectors"|"AdvancedEventSelectors"}), a JSON array
// of either, or an object holding both (trails carrying their selectors, or
// "trailList" beside "EventSelectors"/"Selectors" lists).
func Parse(data []byte) (*Config, error) {
	var raw any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("parse trail configuration: %w", err)
	}
	trails := map[string]*wireTrail{}
	var order []string
	selectors := map[string]*wireSelectorsOutput{}
	var walk func(v any) error
	walk = func(v any) error {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if err := walk(e); err != nil {
					return err
				}
			}
		case map[string]any:
			b, _ := json.Marshal(x)
			_, hasName := x["Name"]
			_, hasARN := x["TrailARN"]
			_, hasES := x["EventSelectors"]
			_, hasAES := x["AdvancedEventSelectors"]
			switch {
			case hasName && hasARN || hasName && x["HomeRegion"] != nil:
				var t wireTrail
				if err := json.Unmarshal(b, &t); err != nil {
					return fmt.Errorf("trail: %w", err)
				}
				key := t.TrailARN
				if key == "" {
					key = t.Name
				}
				if _, ok := trails[key]; !ok {
					order = append(order, key)
				}
				trails[key] = &t
			case hasARN && (hasES || hasAES):
				var s wireSelectorsOutput
				if err := json.Unmarshal(b, &s); err != nil {
					return fmt.Errorf("event selectors: %w", err)
				}
				selectors[s.TrailARN] = &s
			default:
				keys := make([]string, 0, len(x))
				for k := range x {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					if err := walk(x[k]); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	if err := walk(raw); err != nil {
		return nil, err
	}
	// Selectors given apart from their trails.
	for arn, s := range selectors {
		t, ok := trails[arn]
		if !ok {
			for _, cand := range trails {
				if cand.Name != "" && strings.HasSuffix(arn, ":trail/"+cand.Name) {
					t, ok = cand, true
					break
				}
			}
		}
		if !ok {
			t = &wireTrail{TrailARN: arn, Name: arn[strings.LastIndex(arn, "/")+1:]}
			trails[arn] = t
			order = append(order, arn)
		}
		if len(t.EventSelectors) == 0 && len(t.AdvancedEventSelectors) == 0 {
			t.EventSelectors = s.EventSelectors
			t.AdvancedEventSelectors = s.AdvancedEventSelectors
		}
	}
	if len(trails) == 0 {
		return nil, fmt.Errorf("no trails found (want describe-trails and get-event-selectors output)")
	}
	cfg := &Config{Known: true}
	for _, k := range order {
		cfg.Trails = append(cfg.Trails, convert(trails[k]))
	}
	return cfg, nil
}

func convert(w *wireTrail) Trail {
	t := Trail{Name: w.Name, ARN: w.TrailARN, HomeRegion: w.HomeRegion, MultiRegion: w.IsMultiRegionTrail, Organization: w.IsOrganizationTrail,
		GlobalEvents: w.IncludeGlobalServiceEvents == nil || *w.IncludeGlobalServiceEvents}
	if len(w.EventSelectors) == 0 && len(w.AdvancedEventSelectors) == 0 {
		// A trail without selectors logs all management events only.
		t.Management, t.AllManagement = true, true
		return t
	}
	for _, es := range w.EventSelectors {
		if es.IncludeManagementEvents == nil || *es.IncludeManagementEvents {
			t.Management = true
			if es.ReadWriteType == "" || es.ReadWriteType == "All" {
				t.AllManagement = true
			}
		}
		var ro *bool
		switch es.ReadWriteType {
		case "ReadOnly":
			v := true
			ro = &v
		case "WriteOnly":
			v := false
			ro = &v
		}
		for _, dr := range es.DataResources {
			s := Selector{ResourceType: dr.Type, ReadOnly: ro}
			for _, v := range dr.Values {
				if isAllOfType(v) {
					s.Prefixes = nil
					break
				}
				s.Prefixes = append(s.Prefixes, v)
			}
			t.Data = append(t.Data, s)
		}
	}
	for _, as := range w.AdvancedEventSelectors {
		var category, rtype string
		s := Selector{}
		narrowed := false // a field other than eventCategory
		for _, fs := range as.FieldSelectors {
			if fs.Field != "eventCategory" {
				narrowed = true
			}
			switch fs.Field {
			case "eventCategory":
				if len(fs.Equals) > 0 {
					category = fs.Equals[0]
				}
			case "resources.type":
				if len(fs.Equals) > 0 {
					rtype = fs.Equals[0]
				}
			case "readOnly":
				if len(fs.Equals) > 0 {
					v := strings.EqualFold(fs.Equals[0], "true")
					s.ReadOnly = &v
				}
			case "resources.ARN":
				s.Prefixes = append(s.Prefixes, fs.StartsWith...)
				s.Prefixes = append(s.Prefixes, fs.Equals...)
				s.NotPrefixes = append(s.NotPrefixes, fs.NotStartsWith...)
				s.NotPrefixes = append(s.NotPrefixes, fs.NotEquals...)
			}
		}
		switch category {
		case "Management":
			t.Management = true
			if !narrowed {
				t.AllManagement = true
			}
		case "Data":
			s.ResourceType = rtype
			t.Data = append(t.Data, s)
		}
	}
	return t
}

// isAllOfType recognises the legacy selector values that mean "every
// resource of the type": "arn:aws:s3", "arn:aws:s3:::", "arn:aws:lambda".
func isAllOfType(v string) bool {
	parts := strings.Split(v, ":")
	if len(parts) <= 3 {
		return true
	}
	return v == "arn:aws:s3:::" || v == "arn:aws-us-gov:s3:::" || v == "arn:aws-cn:s3:::"
}

// API is the part of the CloudTrail client Fetch uses.
type API interface {
	DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetEventSelectors(context.Context, *cloudtrail.GetEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

// Fetch reads the trail configuration live: DescribeTrails (including
// shadow trails of other regions and organization trails), then
// GetEventSelectors for each trail.
func Fetch(ctx context.Context, api API) (*Config, error) {
	include := true
	out, err := api.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: &include})
	if err != nil {
		return nil, fmt.Errorf("describe trails: %w", err)
	}
	cfg := &Config{Known: true, Source: "cloudtrail:DescribeTrails"}
	for _, tr := range out.TrailList {
		w := &wireTrail{
			Name: deref(tr.Name), TrailARN: deref(tr.TrailARN), HomeRegion: deref(tr.HomeRegion),
			IsMultiRegionTrail: derefBool(tr.IsMultiRegionTrail), IsOrganizationTrail: derefBool(tr.IsOrganizationTrail),
			IncludeGlobalServiceEvents: tr.IncludeGlobalServiceEvents,
		}
		sel, err := api.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: tr.TrailARN})
		if err != nil {
			return nil, fmt.Errorf("get event selectors of %s: %w", w.TrailARN, err)
		}
		w.EventSelectors = fromSDKSelectors(sel.EventSelectors)
		w.AdvancedEventSelectors = fromSDKAdvanced(sel.AdvancedEventSelectors)
		cfg.Trails = append(cfg.Trails, convert(w))
	}
	return cfg, nil
}

func fromSDKSelectors(in []cttypes.EventSelector) []wireSelector {
	var out []wireSelector
	for _, es := range in {
		w := wireSelector{ReadWriteType: string(es.ReadWriteType), IncludeManagementEvents: es.IncludeManagementEvents}
		for _, dr := range es.DataResources {
			w.DataResources = append(w.DataResources, struct {
				Type   string
				Values []string
			}{deref(dr.Type), dr.Values})
		}
		out = append(out, w)
	}
	return out
}

func fromSDKAdvanced(in []cttypes.AdvancedEventSelector) []wireAdvanced {
	var out []wireAdvanced
	for _, as := range in {
		b, _ := json.Marshal(as)
		var w wireAdvanced
		_ = json.Unmarshal(b, &w)
		out = append(out, w)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefBool(b *bool) bool { return b != nil && *b }

// MarshalJSON-able summary for storage and reports.
func (c *Config) Summary() string {
	if c == nil || !c.Known {
		return "trail configuration unknown: data events assumed not logged"
	}
	var parts []string
	for _, t := range c.Trails {
		var d []string
		for _, s := range t.Data {
			scope := "all"
			if len(s.Prefixes) > 0 {
				scope = strings.Join(s.Prefixes, ",")
			}
			d = append(d, s.ResourceType+"("+scope+")")
		}
		mg := "management"
		if !t.Management {
			mg = "no management"
		}
		if len(d) == 0 {
			parts = append(parts, fmt.Sprintf("%s: %s, no data events", t.Name, mg))
		} else {
			parts = append(parts, fmt.Sprintf("%s: %s, data %s", t.Name, mg, strings.Join(d, " ")))
		}
	}
	return strings.Join(parts, "; ")
}

// DataLoggedFor says whether data events of resourceType are logged for
// every resource a policy resource pattern may name: Logged only when one
// full (read and write) selector's prefix is a prefix of the pattern's
// literal part (before its first wildcard or variable).
func (c *Config) DataLoggedFor(resourceType, pattern string) Status {
	if c == nil || !c.Known {
		return Unknown
	}
	lit := pattern
	if i := strings.IndexAny(lit, "*?$"); i >= 0 {
		lit = lit[:i]
	}
	best := NotLogged
	for _, t := range c.Trails {
		for _, s := range t.Data {
			if !strings.EqualFold(s.ResourceType, resourceType) {
				continue
			}
			if len(s.NotPrefixes) > 0 || s.ReadOnly != nil {
				best = Partly
				continue
			}
			if len(s.Prefixes) == 0 {
				return Logged
			}
			for _, p := range s.Prefixes {
				if strings.HasPrefix(lit, p) {
					return Logged
				}
			}
			best = Partly
		}
	}
	return best
}

// accountOf is the account in a trail ARN
// (arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME), or "".
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// Accounts lists the accounts the configuration's trails belong to.
func (c *Config) Accounts() []string {
	if c == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range c.Trails {
		if a := accountOf(t.ARN); a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// ForAccount returns what the trails log for one account: its own trails
// and organization trails. When the configuration knows trails but none
// that cover the account, the result is unknown for it (data events then
// count as not logged), not "nothing logged".
func (c *Config) ForAccount(account string) *Config {
	if c == nil || !c.Known || account == "" {
		return c
	}
	out := &Config{Known: true, Source: c.Source}
	for _, t := range c.Trails {
		a := accountOf(t.ARN)
		if a == account || a == "" || t.Organization {
			out.Trails = append(out.Trails, t)
		}
	}
	if len(out.Trails) == 0 {
		return &Config{Known: false, Source: c.Source}
	}
	return out
}
