package trails

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Save stores cfg unless the same configuration is already stored; it
// returns the row's id and whether it was new.
func Save(ctx context.Context, pool *pgxpool.Pool, cfg *Config) (id int64, created bool, err error) {
	body, err := json.Marshal(cfg.Trails)
	if err != nil {
		return 0, false, fmt.Errorf("encode trail configuration: %w", err)
	}
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])
	err = pool.QueryRow(ctx, `
		INSERT INTO trail_config (source, digest, config) VALUES ($1, $2, $3)
		ON CONFLICT (digest) DO NOTHING RETURNING id`, cfg.Source, digest, body).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, false, fmt.Errorf("save trail configuration: %w", err)
	}
	if err := pool.QueryRow(ctx, `SELECT id FROM trail_config WHERE digest = $1`, digest).Scan(&id); err != nil {
		return 0, false, fmt.Errorf("find trail configuration: %w", err)
	}
	// Make an older configuration the latest again when it is loaded anew.
	if _, err := pool.Exec(ctx, `UPDATE trail_config SET taken_at = now() WHERE id = $1`, id); err != nil {
		return 0, false, fmt.Errorf("touch trail configuration: %w", err)
	}
	return id, false, nil
}

// LoadLatestPerAccount merges, for every account a stored configuration's
// trails belong to, the trails of the newest configuration that has trails
// of that account (organization trails included as they were stored).
// Configurations loaded one account at a time thus all count, each as last
// loaded. The id returned is the newest configuration used; UnknownConfig
// and 0 when none is stored.
func LoadLatestPerAccount(ctx context.Context, pool *pgxpool.Pool) (*Config, int64, error) {
	rows, err := pool.Query(ctx, `SELECT id, source, config FROM trail_config ORDER BY taken_at DESC, id DESC`)
	if err != nil {
		return nil, 0, fmt.Errorf("load trail configurations: %w", err)
	}
	defer rows.Close()
	out := &Config{Known: true}
	var newest int64
	claimed := map[string]bool{}
	seenARN := map[string]bool{}
	for rows.Next() {
		var (
			id     int64
			source string
			body   []byte
		)
		if err := rows.Scan(&id, &source, &body); err != nil {
			return nil, 0, fmt.Errorf("load trail configurations: %w", err)
		}
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
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("load trail configurations: %w", err)
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
