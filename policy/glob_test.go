package policy

import (
	"regexp"
	"strings"
	"testing"
)

func TestMatchAction(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"*", "s3:GetObject", true},
		{"s3:*", "s3:GetObject", true},
		{"s3:Get*", "s3:GetObject", true},
		{"s3:Get*", "s3:PutObject", false},
		{"S3:getobject", "s3:GetObject", true},   // case-insensitive
		{"s3:GetObject", "S3:GETOBJECT", true},   // both sides
		{"s3:Get?bject", "s3:GetObject", true},   // ? is one character
		{"s3:Get?bject", "s3:GetObbject", false}, // … not two
		{"s3:Get?Object", "s3:GetObject", false}, // … not zero
		{"s3:*Object", "s3:GetObject", true},
		{"s3:*Object", "s3:GetObjectAcl", false},
		{"s3:*Object*", "s3:GetObjectAcl", true},
		{"s3:GetObject", "s3:GetObjectAcl", false}, // whole-string match
		{"s3:GetObject", "ss3:GetObject", false},
		{"*:GetObject", "s3:GetObject", true},
		{"iam:*", "sts:AssumeRole", false},
		{"s3:*", "s3", false},
		{"ec2:Describe*", "ec2:describeinstances", true},
		{"s3:${aws:username}", "s3:${aws:username}", true}, // no variables in actions
	}
	for _, tc := range tests {
		if got := MatchAction(tc.pattern, tc.action); got != tc.want {
			t.Errorf("MatchAction(%q, %q) = %v, want %v", tc.pattern, tc.action, got, tc.want)
		}
	}
}

func TestMatchResource(t *testing.T) {
	tests := []struct {
		pattern, arn string
		want         bool
	}{
		{"*", "arn:aws:s3:::b", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c", true}, // * crosses /
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"arn:aws:s3:::B/*", "arn:aws:s3:::b/k", false}, // case-sensitive
		{"arn:aws:iam::123:user/Bob", "arn:aws:iam::123:user/bob", false},
		{"arn:aws:s3:::*", "arn:aws:s3:::b/k", true},
		{"arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:123:log-group:g:log-stream:s", true}, // * crosses :
		{"arn:aws:ec2:*:*:instance/i-?", "arn:aws:ec2:eu-west-1:1:instance/i-7", true},
		{"arn:aws:ec2:*:*:instance/i-?", "arn:aws:ec2:eu-west-1:1:instance/i-77", false},
		{"arn:aws:apigateway:*::/restapis/??????????", "arn:aws:apigateway:us-east-1::/restapis/abcde12345", true},
		{"arn:aws:apigateway:*::/restapis/??????????", "arn:aws:apigateway:us-east-1::/restapis/abcde1234", false},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/é", true}, // ? is one code point
		{"arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", true},
		{"arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x", false}, // ${*} is a literal *
		{"arn:aws:s3:::b/${?}", "arn:aws:s3:::b/x", false},
		{"arn:aws:s3:::b/${$}", "arn:aws:s3:::b/$", true},
		{"arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/${aws:username}", false}, // unresolved matches nothing
		{"arn:aws:s3:::b/${aws:username", "arn:aws:s3:::b/${aws:username", true},    // unterminated is literal
	}
	for _, tc := range tests {
		if got := MatchResource(tc.pattern, tc.arn); got != tc.want {
			t.Errorf("MatchResource(%q, %q) = %v, want %v", tc.pattern, tc.arn, got, tc.want)
		}
	}
}

func TestSubstituteVariables(t *testing.T) {
	ctx := map[string][]string{
		"aws:username":          {"alice"},
		"aws:PrincipalTag/team": {"red"},
		"aws:TagKeys":           {"a", "b"},
		"aws:empty":             {},
		"s3:prefix":             {"we*ird?$"},
	}
	tests := []struct {
		pattern string
		want    string
		ok      bool
	}{
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/*", true},
		{"arn:aws:s3:::b/${AWS:UserName}/*", "arn:aws:s3:::b/alice/*", true}, // keys case-insensitive
		{"arn:aws:s3:::${aws:PrincipalTag/team}-${aws:username}", "arn:aws:s3:::red-alice", true},
		{"arn:aws:s3:::b/${aws:principaltag/TEAM}", "arn:aws:s3:::b/red", true},
		{"arn:aws:s3:::b/${aws:userid}", "", false},                               // missing
		{"arn:aws:s3:::b/${aws:TagKeys}", "", false},                              // multi-valued
		{"arn:aws:s3:::b/${aws:empty}", "", false},                                // no value
		{"arn:aws:s3:::b/${aws:userid, 'anon'}/*", "arn:aws:s3:::b/anon/*", true}, // default
		{"arn:aws:s3:::b/${aws:username,'anon'}/*", "arn:aws:s3:::b/alice/*", true},
		{"arn:aws:s3:::b/${*}${?}${$}", "arn:aws:s3:::b/${*}${?}$", true}, // escapes kept where needed
		{"arn:aws:s3:::b/${$}{x}", "arn:aws:s3:::b/${$}{x}", true},
		{"arn:aws:s3:::b/${s3:prefix}", "arn:aws:s3:::b/we${*}ird${?}$", true},
		{"no variables *", "no variables *", true},
	}
	for _, tc := range tests {
		got, ok := SubstituteVariables(tc.pattern, ctx)
		if got != tc.want || ok != tc.ok {
			t.Errorf("SubstituteVariables(%q) = %q, %v; want %q, %v", tc.pattern, got, ok, tc.want, tc.ok)
		}
	}
	// The result of substitution still matches literally.
	sub, _ := SubstituteVariables("arn:aws:s3:::b/${s3:prefix}", ctx)
	if !MatchResource(sub, "arn:aws:s3:::b/we*ird?$") || MatchResource(sub, "arn:aws:s3:::b/weXirdY$") {
		t.Errorf("substituted value %q is not literal", sub)
	}
}

func TestCoversOverlaps(t *testing.T) {
	tests := []struct {
		general, specific string
		ci                bool
		covers, overlaps  bool
	}{
		{"*", "anything*", false, true, true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k", false, true, true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/*", false, true, true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/x/*", false, true, true},
		{"arn:aws:s3:::b/x/*", "arn:aws:s3:::b/*", false, false, true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b*", false, false, true},
		{"arn:aws:s3:::a*", "arn:aws:s3:::b*", false, false, false},
		{"arn:aws:s3:::*a", "arn:aws:s3:::b*", false, false, true}, // "b…a"
		{"a*b*c", "a*c", false, false, true},
		{"a*c", "a*b*c", false, true, true},
		{"a?c", "a?c", false, true, true},
		{"a?c", "a*c", false, false, true},
		{"a*c", "a?c", false, true, true},
		{"??", "*", false, false, true},
		{"*?*", "?*", false, true, true},
		{"?*", "*?*", false, true, true},
		{"*a*", "*a*a*", false, true, true},
		{"*a*a*", "*a*", false, false, true},
		{"*ab*", "*a?b*", false, false, true},
		{"s3:Get*", "s3:GetObject", true, true, true},
		{"S3:get*", "s3:GetObject*", true, true, true},
		{"s3:Get*", "s3:G*", true, false, true},
		{"s3:Get*", "S3:PUT*", true, false, false},
		{"s3:Get*", "S3:GETOBJECT", false, false, false}, // case matters when asked
		{"a${*}", "a*", false, false, true},              // literal * vs wildcard
		{"a*", "a${*}", false, true, true},
		{"a${*}", "a${*}", false, true, true},
		// Variables: Covers must hold for every value.
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/${aws:username}/*", false, true, true},
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/${AWS:USERNAME}/x", false, true, true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/${aws:username}/x", false, true, true},
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x", false, false, true},
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/${aws:userid}/x", false, false, true},
		{"arn:aws:s3:::b/?/*", "arn:aws:s3:::b/${aws:username}/x", false, false, true}, // value may be longer than one
		{"arn:aws:s3:::c/*", "arn:aws:s3:::b/${aws:username}", false, false, false},
	}
	for _, tc := range tests {
		if got := Covers(tc.general, tc.specific, tc.ci); got != tc.covers {
			t.Errorf("Covers(%q, %q, %v) = %v, want %v", tc.general, tc.specific, tc.ci, got, tc.covers)
		}
		if got := Overlaps(tc.general, tc.specific, tc.ci); got != tc.overlaps {
			t.Errorf("Overlaps(%q, %q, %v) = %v, want %v", tc.general, tc.specific, tc.ci, got, tc.overlaps)
		}
		if got := Overlaps(tc.specific, tc.general, tc.ci); got != tc.overlaps {
			t.Errorf("Overlaps(%q, %q, %v) = %v, want %v (symmetry)", tc.specific, tc.general, tc.ci, got, tc.overlaps)
		}
	}
}

// oracle matches with the regexp package: an implementation independent
// of the one under test.
func oracle(pattern string, ci bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^(?s)")
	if ci {
		b.WriteString("(?i)")
	}
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// allStrings lists every string over alphabet up to maxLen characters.
func allStrings(alphabet string, maxLen int) []string {
	out := []string{""}
	level := []string{""}
	for range maxLen {
		var next []string
		for _, s := range level {
			for _, r := range alphabet {
				next = append(next, s+string(r))
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}

// matchSet lists which of strs the pattern matches, by regexp.
func matchSet(pattern string, ci bool, strs []string) []bool {
	re := oracle(pattern, ci)
	out := make([]bool, len(strs))
	for i, x := range strs {
		out[i] = re.MatchString(x)
	}
	return out
}

// bruteCoversOverlaps decides Covers and Overlaps from the strings each
// pattern matches. The alphabet behind the strings must include a
// character that neither pattern mentions, standing for all such
// characters.
func bruteCoversOverlaps(g, s []bool) (covers, overlaps bool) {
	covers = true
	for i := range s {
		if s[i] && !g[i] {
			covers = false
		}
		if s[i] && g[i] {
			overlaps = true
		}
	}
	return covers, overlaps
}

// TestCoversOverlapsExhaustive compares Covers and Overlaps with brute
// force for every pair of patterns up to three symbols over {a, b, ?, *}
// (and {a, A, ?, *} case-insensitively), on every string up to seven
// characters over {a, b, c}: longer than any shortest witness or
// counterexample for patterns this short.
func TestCoversOverlapsExhaustive(t *testing.T) {
	for _, mode := range []struct {
		name     string
		symbols  string
		alphabet string
		ci       bool
	}{
		{"case-sensitive", "ab?*", "abc", false},
		{"case-insensitive", "aA?*", "aAc", true},
	} {
		t.Run(mode.name, func(t *testing.T) {
			pats := allStrings(mode.symbols, 3)
			strs := allStrings(mode.alphabet, 7)
			sets := make([][]bool, len(pats))
			for i, p := range pats {
				sets[i] = matchSet(p, mode.ci, strs)
			}
			for i, g := range pats {
				for j, s := range pats {
					wantC, wantO := bruteCoversOverlaps(sets[i], sets[j])
					if got := Covers(g, s, mode.ci); got != wantC {
						t.Errorf("Covers(%q, %q, %v) = %v, brute force says %v", g, s, mode.ci, got, wantC)
					}
					if got := Overlaps(g, s, mode.ci); got != wantO {
						t.Errorf("Overlaps(%q, %q, %v) = %v, brute force says %v", g, s, mode.ci, got, wantO)
					}
				}
			}
		})
	}
}

// FuzzCoversOverlaps checks Covers, Overlaps and glob matching against
// brute force on patterns over a small alphabet. Run it with
// go test -fuzz=FuzzCoversOverlaps ./policy/.
func FuzzCoversOverlaps(f *testing.F) {
	for _, seed := range [][2]string{
		{"*a*b", "a*b"}, {"a?*", "*?a"}, {"*ab*ba*", "*aba*"}, {"??*", "*??"}, {"a*a*a", "a*aa*a"},
	} {
		f.Add(seed[0], seed[1], false)
	}
	f.Add("A*b", "a?B", true)
	strs := allStrings("abc", 7)
	strsCI := allStrings("aAbc", 6)
	f.Fuzz(func(t *testing.T, g, s string, ci bool) {
		clean := func(p string) string {
			var b strings.Builder
			for _, r := range p {
				switch r {
				case 'a', 'b', '*', '?':
					b.WriteRune(r)
				case 'A', 'B':
					if ci {
						b.WriteRune(r)
					}
				}
				if b.Len() >= 5 {
					break
				}
			}
			return b.String()
		}
		g, s = clean(g), clean(s)
		if len(g)+len(s) > 6 {
			return // keep brute force exact: witnesses stay within 7 characters
		}
		pool := strs
		if ci {
			pool = strsCI
		}
		wantC, wantO := bruteCoversOverlaps(matchSet(g, ci, pool), matchSet(s, ci, pool))
		if got := Covers(g, s, ci); got != wantC {
			t.Errorf("Covers(%q, %q, %v) = %v, brute force says %v", g, s, ci, got, wantC)
		}
		if got := Overlaps(g, s, ci); got != wantO {
			t.Errorf("Overlaps(%q, %q, %v) = %v, brute force says %v", g, s, ci, got, wantO)
		}
		re := oracle(g, ci)
		for _, x := range pool[:200] {
			if got, want := globMatch(g, x, ci), re.MatchString(x); got != want {
				t.Errorf("globMatch(%q, %q, %v) = %v, regexp says %v", g, x, ci, got, want)
			}
		}
	})
}

// FuzzMatch compares the matchers with regexp on arbitrary input.
func FuzzMatch(f *testing.F) {
	f.Add("arn:aws:s3:::b/*", "arn:aws:s3:::b/k")
	f.Add("s3:Get?bj*", "S3:GETOBJECT")
	f.Add("*é?*", "xéyz")
	f.Fuzz(func(t *testing.T, p, s string) {
		if len(p) > 64 || len(s) > 64 || !utf8Valid(p) || !utf8Valid(s) {
			return
		}
		for _, ci := range []bool{false, true} {
			want := oracle(p, ci).MatchString(s)
			if ci && hasSpecialFold(p+s) {
				continue // regexp's (?i) folds some non-ASCII runes that ToLower does not
			}
			if got := globMatch(p, s, ci); got != want {
				t.Errorf("globMatch(%q, %q, %v) = %v, regexp says %v", p, s, ci, got, want)
			}
			if got := tokMatch(compile(p, false), s, ci); got != want {
				t.Errorf("tokMatch(%q, %q, %v) = %v, regexp says %v", p, s, ci, got, want)
			}
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// hasSpecialFold reports runes outside ASCII, whose case folding differs
// between regexp's (?i) and unicode.ToLower.
func hasSpecialFold(s string) bool {
	for _, r := range s {
		if r >= 0x80 {
			return true
		}
	}
	return false
}
