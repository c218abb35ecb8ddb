package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
)

// Recommendation is one row of the recommendation table: a principal's
// recommendation for the window of WindowDays days ending on AsOf.
type Recommendation struct {
	PrincipalARN  string
	AsOf          time.Time
	WindowDays    int
	Proven        bool
	Kept, Removed int
	// Digest identifies Body: saving the same digest again changes nothing.
	Digest string
	Body   []byte
}

// SaveRecommendation inserts r, or replaces the principal's row for the
// same window when its digest differs.
func SaveRecommendation(ctx context.Context, db *store.DB, r Recommendation) error {
	err := store.Retry(ctx, func() error {
		_, err := db.Pool.Exec(ctx, `
			INSERT INTO recommendation (principal_arn, as_of, window_days, proven, kept, removed, digest, body)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (principal_arn, as_of, window_days) DO UPDATE
			   SET proven = EXCLUDED.proven, kept = EXCLUDED.kept, removed = EXCLUDED.removed,
			       digest = EXCLUDED.digest, body = EXCLUDED.body, created_at = now()
			 WHERE recommendation.digest <> EXCLUDED.digest`,
			r.PrincipalARN, r.AsOf, r.WindowDays, r.Proven, r.Kept, r.Removed, r.Digest, r.Body)
		return err
	})
	if err != nil {
		return fmt.Errorf("save recommendation of %s: %w", r.PrincipalARN, err)
	}
	return nil
}

// RecommendationsProven returns, by principal ARN, whether the
// recommendation made for the window of windowDays days ending on asOf
// is proven; principals without one are absent.
func RecommendationsProven(ctx context.Context, db *store.DB, asOf time.Time, windowDays int) (map[string]bool, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT principal_arn, proven FROM recommendation WHERE as_of = $1 AND window_days = $2`, asOf, windowDays)
	if err != nil {
		return nil, fmt.Errorf("read recommendations: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var arn string
		var proven bool
		if err := rows.Scan(&arn, &proven); err != nil {
			return nil, fmt.Errorf("read recommendations: %w", err)
		}
		out[arn] = proven
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read recommendations: %w", err)
	}
	return out, nil
}

// LatestRecommendations returns each principal's newest recommendation
// whose window ends (as_of) from from to to inclusive, the longest window
// when several end on the same day, ordered by principal ARN. Only
// recommendations that remove at least one action are returned: the
// others leave nothing to remediate.
func LatestRecommendations(ctx context.Context, db *store.DB, from, to time.Time) ([]Recommendation, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT DISTINCT ON (principal_arn) principal_arn, as_of, window_days, proven, kept, removed, digest, body
		FROM recommendation
		WHERE as_of BETWEEN $1 AND $2 AND removed > 0
		ORDER BY principal_arn, as_of DESC, window_days DESC`, from, to)
	if err != nil {
		return nil, fmt.Errorf("read recommendations from %s to %s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	defer rows.Close()
	var out []Recommendation
	for rows.Next() {
		var r Recommendation
		if err := rows.Scan(&r.PrincipalARN, &r.AsOf, &r.WindowDays, &r.Proven, &r.Kept, &r.Removed, &r.Digest, &r.Body); err != nil {
			return nil, fmt.Errorf("read recommendations: %w", err)
		}
		r.AsOf = r.AsOf.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read recommendations: %w", err)
	}
	return out, nil
}
