package rollup

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/cloudtrail"
)

func TestSourceNet(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.77":            "203.0.113.0/24",
		"2001:db8:1234:5678::1":   "2001:db8:1234::/48",
		"::ffff:198.51.100.9":     "198.51.100.0/24",
		"ecs-tasks.amazonaws.com": "",
		"":                        "",
		"10.200.3.255":            "10.200.3.0/24",
		"0.0.0.0":                 "0.0.0.0/24",
		"255.255.255.255":         "255.255.255.0/24",
		"256.1.1.1":               "",
		"10.01.1.1":               "",
		"10.1.1":                  "",
		"10.1.1.1.1":              "",
		"10..1.1":                 "",
		"10.1.1.":                 "",
		"1.2.3.4%eth0":            "",
		"1.2.3.4 ":                "",
	} {
		if got := SourceNet(in); got != want {
			t.Errorf("SourceNet(%q) = %q, want %q", in, got, want)
		}
		// The IPv4 fast path agrees with netip wherever it answers.
		if got, ok := ipv4Net(in); ok {
			a, err := netip.ParseAddr(in)
			if err != nil || !a.Is4() {
				t.Errorf("ipv4Net(%q) = %q, but netip does not parse it as IPv4 (%v)", in, got, err)
			} else if p, _ := a.Prefix(24); p.String() != got {
				t.Errorf("ipv4Net(%q) = %q, netip says %s", in, got, p)
			}
		}
	}
}

func TestPrincipalKey(t *testing.T) {
	tests := []struct {
		p         cloudtrail.Principal
		invokedBy string
		want      string
	}{
		{p: cloudtrail.Principal{ARN: "arn:aws:iam::1:role/r"}, want: "arn:aws:iam::1:role/r"},
		{p: cloudtrail.Principal{Type: cloudtrail.PrincipalAnonymous}, want: "anonymous"},
		{p: cloudtrail.Principal{Type: cloudtrail.PrincipalService}, invokedBy: "ec2.amazonaws.com", want: "service:ec2.amazonaws.com"},
		{p: cloudtrail.Principal{Type: cloudtrail.PrincipalUnknown, AccountID: "1", Name: "x"}, want: "unknown:Unknown:1:x"},
	}
	for _, tc := range tests {
		if got := PrincipalKey(&tc.p, tc.invokedBy); got != tc.want {
			t.Errorf("PrincipalKey(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}

// TestIPv4NetMatchesNetip compares the fast path with netip over octets
// at and around every edge it checks, in every position.
func TestIPv4NetMatchesNetip(t *testing.T) {
	octets := []string{"0", "1", "9", "10", "99", "100", "199", "200", "249", "250", "255", "256", "299", "300", "999", "00", "01", "001", "010", "1000", "", "a", "-1", "+1"}
	for pos := range 4 {
		for _, o := range octets {
			parts := []string{"10", "20", "30", "40"}
			parts[pos] = o
			ip := parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[3]
			want := ""
			if a, err := netip.ParseAddr(ip); err == nil {
				p, _ := a.Prefix(24)
				want = p.String()
			}
			if got := SourceNet(ip); got != want {
				t.Errorf("SourceNet(%q) = %q, netip says %q", ip, got, want)
			}
		}
	}
}

func TestFoldParent(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:s3:::b/customers/amber/*":            "arn:aws:s3:::b/customers/",
		"arn:aws:s3:::b/customers/amber/profile.json": "arn:aws:s3:::b/customers/amber/",
		"arn:aws:s3:::b/raw/*":                        "arn:aws:s3:::b/",
		"arn:aws:s3:::b/x.json":                       "arn:aws:s3:::b/",
		"arn:aws:s3:::b":                              "arn:aws:s3:::",
		"arn:aws:iam::1:role/churn-role-3":            "arn:aws:iam::1:role/",
		"arn:aws:ssm:us-east-1:1:parameter/app/x":     "arn:aws:ssm:us-east-1:1:parameter/app/",
		"arn:aws:ssm:us-east-1:1:parameter/x":         "arn:aws:ssm:us-east-1:1:parameter/",
		"arn:aws:iam::1:role/app/task-a":              "arn:aws:iam::1:role/app/",
		"arn:aws:dynamodb:us-east-1:1:table/t":        "arn:aws:dynamodb:us-east-1:1:table/",
		"arn:aws:sns:us-east-1:1:topic":               "",
		"*":                                           "",
	} {
		if got := foldParent(in); got != want {
			t.Errorf("foldParent(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFold: the first at-1 resources of a kind stay exact, the others
// become their common prefix with them (never shorter than the kind, cut
// before minted-looking tokens), widened when one falls outside it; S3
// objects fold per parent folder, never across folders.
func TestFold(t *testing.T) {
	role := func(n string) string { return "arn:aws:iam::1:role/" + n }
	obj := func(k string) string { return "arn:aws:s3:::b/" + k }
	tests := []struct {
		name     string
		at       int
		in, want []string
	}{
		{"below the threshold", 5, []string{role("a1"), role("b"), role("a1"), role("c")}, []string{role("a1"), role("b"), role("a1"), role("c")}},
		{"common prefix", 3,
			[]string{role("churn-role-1"), role("churn-role-2"), role("churn-role-3"), role("churn-role-4"), role("churn-role-1")},
			[]string{role("churn-role-1"), role("churn-role-2"), role("churn-role-*"), role("churn-role-*"), role("churn-role-1")}},
		{"widened", 3,
			[]string{role("app-x"), role("app-y"), role("app-z"), role("batch"), role("app-w")},
			[]string{role("app-x"), role("app-y"), role("app-*"), role("*"), role("*")}},
		{"folders apart", 3,
			[]string{obj("customers/amber/*"), obj("customers/basil/*"), obj("customers/cedar/*"), obj("raw/*"), obj("uploads/*"), obj("customers/dune/*")},
			[]string{obj("customers/amber/*"), obj("customers/basil/*"), obj("customers/*"), obj("raw/*"), obj("uploads/*"), obj("customers/*")}},
		{"never", 0, []string{role("a1"), role("a2"), role("a3")}, []string{role("a1"), role("a2"), role("a3")}},
		{"no kind", 2, []string{"arn:aws:sns:r:1:t1", "arn:aws:sns:r:1:t2", "arn:aws:sns:r:1:t3"}, []string{"arn:aws:sns:r:1:t1", "arn:aws:sns:r:1:t2", "arn:aws:sns:r:1:t3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Fold(tc.at, tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("Fold(%d, %q)\n got %q\nwant %q", tc.at, tc.in, got, tc.want)
			}
		})
	}
}

// TestDayIsDate: Day gives exactly (==, as a map key compares) the
// midnight time.Date makes, for times in any location, with or without a
// monotonic reading, across the years time.Date handles.
func TestDayIsDate(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	zones := []*time.Location{time.UTC, time.FixedZone("east", 14*3600), time.FixedZone("west", -12*3600-1800), time.Local}
	times := []time.Time{time.Now(), time.Time{}, time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, zones[1]),
		time.Date(-1, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC)}
	for range 100000 {
		sec := rng.Int64N(400*365*86400) - 200*365*86400 + time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		if rng.IntN(10) == 0 {
			sec = rng.Int64N(1<<40) - 1<<39 // far out, before year 1 too
		}
		times = append(times, time.Unix(sec, rng.Int64N(1e9)).In(zones[rng.IntN(len(zones))]))
	}
	for _, tm := range times {
		u := tm.UTC()
		if got, want := Day(tm), time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC); got != want {
			t.Fatalf("Day(%v) = %#v, want %#v", tm, got, want)
		}
	}
}
