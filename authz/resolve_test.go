package authz

import (
	"errors"
	"testing"
)

func resolveFixture() []Principal {
	mk := func(typ, acct, path, name string) Principal {
		return Principal{ARN: "arn:aws:iam::" + acct + ":" + typ + path + name, Name: name, Type: typ, AccountID: acct}
	}
	return []Principal{
		mk(TypeRole, "111122223333", "/service-role/", "orders-api-lambda"),
		mk(TypeRole, "111122223333", "/app/", "app-instance-role"),
		mk(TypeRole, "444455556666", "/app/", "app-instance-role"),
		mk(TypeRole, "111122223333", "/", "orders-worker"),
		mk(TypeUser, "111122223333", "/", "alice"),
	}
}

func TestResolvePrincipal(t *testing.T) {
	ps := resolveFixture()
	tests := []struct {
		name, in string
		want     string // the ARN resolved to
		err      error
		msg      string
	}{
		{"full ARN", "arn:aws:iam::111122223333:role/service-role/orders-api-lambda", "arn:aws:iam::111122223333:role/service-role/orders-api-lambda", nil, ""},
		{"unique name", "orders-api-lambda", "arn:aws:iam::111122223333:role/service-role/orders-api-lambda", nil, ""},
		{"name in another case", "Orders-API-Lambda", "arn:aws:iam::111122223333:role/service-role/orders-api-lambda", nil, ""},
		{"ARN without its path", "arn:aws:iam::111122223333:role/orders-api-lambda", "arn:aws:iam::111122223333:role/service-role/orders-api-lambda", nil, ""},
		{"user by name", "alice", "arn:aws:iam::111122223333:user/alice", nil, ""},
		{"ARN of one account", "arn:aws:iam::444455556666:role/app-instance-role", "arn:aws:iam::444455556666:role/app/app-instance-role", nil, ""},
		{"misspelt", "orders-api-lamda", "", ErrNoPrincipal,
			`no principal named "orders-api-lamda" in the authorization inventory; did you mean orders-api-lambda (arn:aws:iam::111122223333:role/service-role/orders-api-lambda)?`},
		{"misspelt ARN", "arn:aws:iam::111122223333:role/orders-api-lamda", "", ErrNoPrincipal,
			`no principal named "arn:aws:iam::111122223333:role/orders-api-lamda" in the authorization inventory; did you mean orders-api-lambda (arn:aws:iam::111122223333:role/service-role/orders-api-lambda)?`},
		{"wrong path", "arn:aws:iam::111122223333:role/app/orders-api-lambda", "", ErrNoPrincipal,
			`no principal named "arn:aws:iam::111122223333:role/app/orders-api-lambda" in the authorization inventory; did you mean orders-api-lambda (arn:aws:iam::111122223333:role/service-role/orders-api-lambda)?`},
		{"ambiguous across accounts", "app-instance-role", "", ErrAmbiguousPrincipal,
			`principal name "app-instance-role" is ambiguous: it names arn:aws:iam::111122223333:role/app/app-instance-role and arn:aws:iam::444455556666:role/app/app-instance-role; give the ARN`},
		{"nothing close", "zzzzzzzz", "", ErrNoPrincipal,
			`no principal named "zzzzzzzz" in the authorization inventory ('iamtrim authz list' lists them)`},
		{"escape sequences shown escaped", "evil\x1b[2J", "", ErrNoPrincipal,
			`no principal named "evil\x1b[2J" in the authorization inventory ('iamtrim authz list' lists them)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ResolvePrincipal(ps, tc.in)
			if tc.err == nil {
				if err != nil || p.ARN != tc.want {
					t.Fatalf("ResolvePrincipal(%q) = %q, %v; want %q", tc.in, p.ARN, err, tc.want)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("ResolvePrincipal(%q) = %q, %v; want %v", tc.in, p.ARN, err, tc.err)
			}
			if err.Error() != tc.msg {
				t.Errorf("message\n got %s\nwant %s", err, tc.msg)
			}
		})
	}
}
