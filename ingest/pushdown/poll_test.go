package pushdown

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPollWithDefaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Poll
		want Poll
	}{
		{"unset", Poll{}, Poll{Min: 500 * time.Millisecond, Max: 10 * time.Second, PageSize: 1000}},
		{"set", Poll{Min: time.Millisecond, Max: 2 * time.Millisecond, PageSize: 2}, Poll{Min: time.Millisecond, Max: 2 * time.Millisecond, PageSize: 2}},
		{"page too large", Poll{Min: time.Second, Max: time.Second, PageSize: 5000}, Poll{Min: time.Second, Max: time.Second, PageSize: 1000}},
		{"max below min", Poll{Min: time.Minute, Max: time.Second, PageSize: 1}, Poll{Min: time.Minute, Max: time.Minute, PageSize: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.in.WithDefaults(); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestBackoffHonoursCancellation(t *testing.T) {
	sleep := Poll{Min: time.Hour, Max: time.Hour}.Backoff()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleep(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	sleep = Poll{Min: time.Millisecond, Max: 2 * time.Millisecond}.Backoff()
	for i := 0; i < 3; i++ {
		if err := sleep(context.Background()); err != nil {
			t.Fatalf("sleep %d: %v", i, err)
		}
	}
}
