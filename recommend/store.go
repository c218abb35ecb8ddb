package recommend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
)

// Save records rec for the window ending asOf. The same recommendation
// saved again changes nothing; a different one for the same principal and
// window replaces it.
func Save(ctx context.Context, db *store.DB, rec *Recommendation, asOf time.Time, windowDays int) error {
	body, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode recommendation: %w", err)
	}
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])
	_, err = db.Pool.Exec(ctx, `
		INSERT INTO recommendation (principal_arn, as_of, window_days, proven, kept, removed, digest, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (principal_arn, as_of, window_days) DO UPDATE
		   SET proven = EXCLUDED.proven, kept = EXCLUDED.kept, removed = EXCLUDED.removed,
		       digest = EXCLUDED.digest, body = EXCLUDED.body, created_at = now()
		 WHERE recommendation.digest <> EXCLUDED.digest`,
		rec.PrincipalARN, asOf, windowDays, rec.Proof.Proven, rec.Proof.Kept, rec.Proof.Removed, digest, body)
	if err != nil {
		return fmt.Errorf("save recommendation of %s: %w", rec.PrincipalARN, err)
	}
	return nil
}
