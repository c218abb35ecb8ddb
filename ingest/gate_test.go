package ingest

import (
	"context"
	"testing"
	"time"
)

// blocked reports whether wait(i) is still waiting after a moment.
func blocked(g *workerGate, i int) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	return g.wait(ctx, i) != nil
}

func TestWorkerGate(t *testing.T) {
	g := newWorkerGate(4)
	for i := range 4 {
		if blocked(g, i) {
			t.Fatalf("worker %d of 4 held by a gate of 4", i)
		}
	}
	g.set(1)
	if blocked(g, 0) || !blocked(g, 1) || !blocked(g, 3) {
		t.Fatal("a gate of 1: want worker 0 through, 1 and 3 held")
	}
	// A held worker goes on when the limit rises.
	done := make(chan error, 1)
	go func() { done <- g.wait(context.Background(), 2) }()
	time.Sleep(20 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("worker 2 went through a gate of 1")
	default:
	}
	g.set(3)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("worker 2 still held after the gate rose to 3")
	}
	// Open is for good: every worker goes through, whatever is set after.
	g.set(1)
	go func() { done <- g.wait(context.Background(), 3) }()
	g.open()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("worker 3 still held after the gate opened")
	}
	g.set(1)
	g.open() // twice is once
	if blocked(g, 100) {
		t.Error("an open gate held worker 100 after set(1)")
	}
	// A held worker's wait ends with its context.
	h := newWorkerGate(1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- h.wait(ctx, 1) }()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a held worker's wait returned nil on cancellation")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelled wait did not return")
	}
}
