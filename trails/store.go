package trails

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
)

// Save stores cfg unless the same configuration is already stored; it
// returns the row's id and whether it was new. An older configuration
// loaded anew becomes the latest again.
func Save(ctx context.Context, db *store.DB, cfg *Config) (id int64, created bool, err error) {
	body, err := json.Marshal(cfg.Trails)
	if err != nil {
		return 0, false, fmt.Errorf("encode trail configuration: %w", err)
	}
	sum := sha256.Sum256(body)
	return queries.SaveTrailConfig(ctx, db, cfg.Source, hex.EncodeToString(sum[:]), body)
}

// LoadLatestPerAccount merges, for every account a stored configuration's
// trails belong to, the trails of the newest configuration that has trails
// of that account (organization trails included as they were stored).
// Configurations loaded one account at a time thus all count, each as last
// loaded. The id returned is the newest configuration used; UnknownConfig
// and 0 when none is stored.
func LoadLatestPerAccount(ctx context.Context, db *store.DB) (*Config, int64, error) {
	stored, err := queries.TrailConfigs(ctx, db)
	if err != nil {
		return nil, 0, err
	}
	out := &Config{Known: true}
	var newest int64
	claimed := map[string]bool{}
	seenARN := map[string]bool{}
	for _, row := range stored {
		id, source, body := row.ID, row.Source, row.Config
		cfg := &Config{Known: true, Source: source}
		if err := json.Unmarshal(body, &cfg.Trails); err != nil {
			return nil, 0, fmt.Errorf("decode trail configuration %d: %w", id, err)
		}
		var mine []string
		for _, a := range cfg.Accounts() {
			if !claimed[a] {
				mine = append(mine, a)
			}
		}
		if newest == 0 {
			newest, out.Source = id, source
		} else if len(mine) == 0 {
			continue
		}
		for _, a := range mine {
			claimed[a] = true
		}
		for _, t := range cfg.Trails {
			a := accountOf(t.ARN)
			if seenARN[t.ARN] || (a != "" && !contains(mine, a) && newest != id) {
				continue
			}
			seenARN[t.ARN] = true
			out.Trails = append(out.Trails, t)
		}
	}
	if newest == 0 {
		return UnknownConfig(), 0, nil
	}
	return out, newest, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
