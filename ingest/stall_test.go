package ingest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamtrim/iamtrim/store"
	"github.com/iamtrim/iamtrim/store/storetest"
	"github.com/jackc/pgx/v5"
)

// freezer forwards TCP to the server until frozen, then passes nothing
// (a connection silently dropped by a NAT or firewall).
type freezer struct{ frozen atomic.Bool }

func (f *freezer) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for f.frozen.Load() {
			time.Sleep(10 * time.Millisecond)
		}
		if n > 0 {
			dst.Write(buf[:n])
		}
		if err != nil {
			if err != io.EOF {
				dst.Close()
			}
			return
		}
	}
}

// A claims connection that stops answering (dropped by a NAT or a
// firewall) holds up only the worker claiming a new day: a day this
// ingester holds is taken without waiting for it.
func TestDayAffinityStalledConnection(t *testing.T) {
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(storetest.URL())
	if err != nil {
		t.Fatal(err)
	}
	server := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f := &freezer{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", server)
			if err != nil {
				c.Close()
				continue
			}
			go f.pipe(s, c)
			go f.pipe(c, s)
		}
	}()
	base := storetest.New(t)
	db, err := store.Open(ctx, store.Options{URL: fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", cfg.User, ln.Addr(), cfg.Database), Schema: base.Schema, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	defer f.frozen.Store(false) // before the pool closes
	c, err := db.OpenClaims(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := newDayAffinity(c, slog.New(slog.DiscardHandler))
	defer a.close() // gives the claims connection back before the pool closes
	if !a.take(ctx, dayObject(1)) {
		t.Fatal("day 1 not taken")
	}
	f.frozen.Store(true)
	go a.take(ctx, dayObject(2)) // a new day: TryLock on the dead connection
	time.Sleep(100 * time.Millisecond)
	got := make(chan bool, 1)
	start := time.Now()
	go func() { got <- a.take(ctx, dayObject(1)) }() // a day it already holds: no round trip needed
	select {
	case ok := <-got:
		if !ok {
			t.Error("a day this ingester holds was set aside")
		}
	case <-time.After(5 * time.Second):
		t.Errorf("taking a day this ingester holds is still blocked after %v behind another worker's claim on an unresponsive connection", time.Since(start).Round(time.Second))
	}
	f.frozen.Store(false)
}
