package recommend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/queries"
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
	return queries.SaveRecommendation(ctx, db, queries.Recommendation{
		PrincipalARN: rec.PrincipalARN, AsOf: asOf, WindowDays: windowDays,
		Proven: rec.Proof.Proven, Kept: rec.Proof.Kept, Removed: rec.Proof.Removed,
		Digest: hex.EncodeToString(sum[:]), Body: body,
	})
}
