package sample

// doc is an IAM policy document as get-account-authorization-details prints
// it (decoded JSON, not URL-encoded text). Field order follows AWS's usual
// order; encoding/json sorts Condition map keys, so output is stable.
type doc struct {
	Version   string `json:"Version"`
	Statement []stmt `json:"Statement"`
}

type stmt struct {
	Sid         string                    `json:"Sid,omitempty"`
	Effect      string                    `json:"Effect"`
	Principal   any                       `json:"Principal,omitempty"`
	Action      any                       `json:"Action,omitempty"`
	NotAction   any                       `json:"NotAction,omitempty"`
	Resource    any                       `json:"Resource,omitempty"`
	NotResource any                       `json:"NotResource,omitempty"`
	Condition   map[string]map[string]any `json:"Condition,omitempty"`
}

func policy(s ...stmt) *doc { return &doc{Version: "2012-10-17", Statement: s} }

// one returns a single string for one element (as AWS prints it) and the
// slice otherwise.
func one(v []string) any {
	if len(v) == 1 {
		return v[0]
	}
	return v
}

func allow(actions []string, resources ...string) stmt {
	return stmt{Effect: "Allow", Action: one(actions), Resource: one(resources)}
}

func deny(actions []string, resources ...string) stmt {
	return stmt{Effect: "Deny", Action: one(actions), Resource: one(resources)}
}

func sid(id string, s stmt) stmt { s.Sid = id; return s }

func cond(op, key string, val any, s stmt) stmt {
	if s.Condition == nil {
		s.Condition = map[string]map[string]any{}
	}
	if s.Condition[op] == nil {
		s.Condition[op] = map[string]any{}
	}
	s.Condition[op][key] = val
	return s
}

func acts(a ...string) []string { return a }

// trust builds an AssumeRolePolicyDocument statement.
func trust(principalKey string, principal any, action string) stmt {
	return stmt{Effect: "Allow", Principal: map[string]any{principalKey: principal}, Action: action}
}
