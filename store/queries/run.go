package queries

import (
	"context"
	"fmt"

	"github.com/iamtrim/iamtrim/store"
)

// StartRun records the start of a command in the run table and returns
// the row's id.
func StartRun(ctx context.Context, db *store.DB, command, version string) (int64, error) {
	var id int64
	if err := store.Retry(ctx, func() error {
		return db.Pool.QueryRow(ctx, `INSERT INTO run (command, version) VALUES ($1, $2) RETURNING id`, command, version).Scan(&id)
	}); err != nil {
		return 0, fmt.Errorf("record run: %w", err)
	}
	return id, nil
}

// FinishRun records how run id ended. It runs even when ctx is cancelled.
func FinishRun(ctx context.Context, db *store.DB, id int64, status string) error {
	ctx = context.WithoutCancel(ctx)
	return store.Retry(ctx, func() error {
		_, err := db.Pool.Exec(ctx, `UPDATE run SET finished_at = now(), status = $2 WHERE id = $1`, id, status)
		return err
	})
}
