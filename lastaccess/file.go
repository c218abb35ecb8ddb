package lastaccess

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/iamtrim/iamtrim/authz"
)

// MaxFileBytes bounds one last-accessed file: a principal allowed every
// service (about 450) with every tracked action listed stays under 2 MB.
const MaxFileBytes = 16 << 20

// FileError is a file that could not be loaded, and why.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// ReadFiles reads last-accessed files, one principal each, and names each
// file's principal among principals (the inventory's): by the file's
// PrincipalArn key when present, else by its base name without ".json"
// (a role or user name, or "ACCOUNT.NAME" when several accounts share it),
// resolved as --principal is. A bad file is reported as a *FileError and
// the others are still read.
func ReadFiles(paths []string, principals []authz.Principal) ([]*Report, []error) {
	var out []*Report
	var errs []error
	for _, path := range paths {
		r, err := readFile(path, principals)
		if err != nil {
			errs = append(errs, &FileError{Path: path, Err: err})
			continue
		}
		out = append(out, r)
	}
	return out, errs
}

func readFile(path string, principals []authz.Principal) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileBytes {
		return nil, fmt.Errorf("larger than %d MB: not a last-accessed report", MaxFileBytes>>20)
	}
	var out Output
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("not the JSON of `aws iam get-service-last-accessed-details`: %w", err)
	}
	if out.JobStatus == "" && out.ServicesLastAccessed == nil {
		return nil, errors.New("no JobStatus and no ServicesLastAccessed: not the JSON of `aws iam get-service-last-accessed-details`")
	}
	p, err := principalOf(path, out.PrincipalArn, principals)
	if err != nil {
		return nil, err
	}
	return Convert(&out, p.ARN, path)
}

// principalOf names the principal of a file.
func principalOf(path, wrapped string, principals []authz.Principal) (authz.Principal, error) {
	if wrapped != "" {
		for _, p := range principals {
			if p.ARN == wrapped {
				return p, nil
			}
		}
		p, err := authz.ResolvePrincipal(principals, wrapped)
		if err == nil && p.AccountID == accountOf(wrapped) {
			return p, nil
		}
		return authz.Principal{}, &EntryError{"PrincipalArn", wrapped + " is not a role or user of the authorization inventory (load it with `iamtrim ingest authz`)"}
	}
	name := strings.TrimSuffix(filepath.Base(path), ".json")
	if acc, rest, ok := strings.Cut(name, "."); ok && len(acc) == 12 && strings.Trim(acc, "0123456789") == "" {
		var match []authz.Principal
		for _, p := range principals {
			if p.AccountID == acc && p.Name == rest {
				match = append(match, p)
			}
		}
		if len(match) == 1 {
			return match[0], nil
		}
		if len(match) > 1 {
			return authz.Principal{}, &EntryError{"file name", fmt.Sprintf("%q names both a role and a user of account %s: add PrincipalArn to the file", name, acc)}
		}
		return authz.Principal{}, &EntryError{"file name", fmt.Sprintf("no role or user %s in account %s of the authorization inventory", rest, acc)}
	}
	p, err := authz.ResolvePrincipal(principals, name)
	if err != nil {
		var ne *authz.NameError
		if errors.As(err, &ne) && errors.Is(err, authz.ErrAmbiguousPrincipal) {
			return authz.Principal{}, &EntryError{"file name", fmt.Sprintf("%q names several principals: name the file ACCOUNT.NAME.json or add PrincipalArn", name)}
		}
		return authz.Principal{}, &EntryError{"file name", fmt.Sprintf("%q is not a role or user of the authorization inventory (name the file after the principal, or add PrincipalArn)", name)}
	}
	return p, nil
}
