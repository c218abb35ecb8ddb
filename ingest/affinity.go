package ingest

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/iamtrim/iamtrim/store"
)

// Day affinity. Concurrent ingesters list the same objects in the same
// order and claim them one by one (SKIP LOCKED), so without more they all
// work on the same days at once: each folds and caps a day's resources on
// its own (more rollup rows for the same events) and their transactions
// upsert the same rollup rows. Instead an ingester takes the objects of an
// account's day only when it holds that day's claim (an advisory lock,
// store.Claims): the first to reach a day claims it, and the others set
// its objects aside for the end of their listing, by which time the
// claimant has mostly done them (the ledger then skips them) and what is
// left they share as before. Affinity only orders work: the ledger claims
// still decide who ingests an object, so a lost claim connection or a
// dead claimant costs speed, never events.
const (
	// maxOwnedDays bounds the claims an ingester holds (advisory locks
	// take room in the server's shared lock table): past it, it gives
	// back the day it used least recently, most likely one it finished.
	maxOwnedDays = 16
	// maxDeferred bounds the objects set aside; past it an object is
	// taken whoever holds its day.
	maxDeferred = 20000
	// maxOthersDays bounds the days remembered as another's.
	maxOthersDays = 4096
)

// dayAffinity is a run's claims on days. It is safe for concurrent use.
type dayAffinity struct {
	log     *slog.Logger
	claimMu sync.Mutex // one new day claimed at a time
	mu      sync.Mutex
	claims  *store.Claims       // nil: affinity off
	owned   map[string]uint64   // day claim -> last use
	others  map[string]struct{} // days another ingester held
	tick    uint64              // use counter for owned
	later   []object            // set aside
	seeded  map[string]struct{} // days seeded with affinity off
	// claimed, when set, is called with each day claimed (with affinity
	// off: each day seen), before any of its objects is taken (claimMu
	// held, not a.mu).
	claimed func(ctx context.Context, account string, day time.Time)
}

func newDayAffinity(claims *store.Claims, log *slog.Logger) *dayAffinity {
	return &dayAffinity{log: log, claims: claims, owned: map[string]uint64{}, others: map[string]struct{}{}, seeded: map[string]struct{}{}}
}

// dayOf names the claim of o's account and day, with the account and
// the day: from its key (S3 layout, API window) or its file name
// (ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_...); name is "" when neither
// gives them.
func dayOf(o object) (name, account string, day time.Time) {
	account, day = o.account, o.day
	if account == "" || day.IsZero() {
		var ok bool
		if account, day, ok = dayOfFileName(o.key[strings.LastIndexByte(o.key, '/')+1:]); !ok {
			return "", "", time.Time{}
		}
	}
	return "ingest-day:" + account + ":" + day.Format("20060102"), account, day
}

// dayOfFileName reads the account and the day from a CloudTrail log
// file's name.
func dayOfFileName(base string) (account string, day time.Time, ok bool) {
	account, rest, ok := strings.Cut(base, "_CloudTrail_")
	if !ok || account == "" {
		return "", time.Time{}, false
	}
	_, stamp, ok := strings.Cut(rest, "_")
	if !ok || len(stamp) < 9 || stamp[8] != 'T' {
		return "", time.Time{}, false
	}
	day, err := time.Parse("20060102", stamp[:8])
	return account, day, err == nil
}

// claimTimeout bounds one claim or release on the claims connection: a
// connection that stops answering turns affinity off instead of holding
// up the workers.
const claimTimeout = 10 * time.Second

// take reports whether o is to be processed now; when not, o is set
// aside for later (see pop). Days this ingester has decided on are
// answered without the database; a new day is claimed by one worker at a
// time (claimMu), outside a.mu, and seeded (claimed) before any of its
// objects is taken.
func (a *dayAffinity) take(ctx context.Context, o object) bool {
	name, account, day := dayOf(o)
	if name == "" {
		return true
	}
	if held, decided := a.decided(name); decided {
		return held || a.setAside(o)
	}
	a.claimMu.Lock()
	defer a.claimMu.Unlock()
	if held, decided := a.decided(name); decided {
		return held || a.setAside(o)
	}
	a.mu.Lock()
	claims := a.claims
	a.mu.Unlock()
	if claims == nil {
		// Affinity off (no claims, or they failed): every day is this
		// ingester's, seeded all the same the first time it is seen, so
		// that the fold holds across runs (a run started again after a
		// kill, logs delivered late) without claims too.
		a.seed(ctx, account, day)
		a.mu.Lock()
		if len(a.seeded) >= maxOthersDays {
			clear(a.seeded)
		}
		a.seeded[name] = struct{}{}
		a.mu.Unlock()
		return true
	}
	cctx, cancel := context.WithTimeout(ctx, claimTimeout)
	got, err := claims.TryLock(cctx, name)
	cancel()
	if err != nil {
		a.fail(ctx, err)
		return true
	}
	if !got {
		a.mu.Lock()
		if len(a.others) >= maxOthersDays {
			clear(a.others)
		}
		a.others[name] = struct{}{}
		a.mu.Unlock()
		return a.setAside(o)
	}
	a.seed(ctx, account, day)
	if evict := a.own(name); evict != "" {
		cctx, cancel := context.WithTimeout(ctx, claimTimeout)
		err := claims.Unlock(cctx, evict)
		cancel()
		if err != nil {
			a.fail(ctx, err)
		}
	}
	return true
}

// seed calls claimed, when set, for account's day.
func (a *dayAffinity) seed(ctx context.Context, account string, day time.Time) {
	if a.claimed != nil {
		a.claimed(ctx, account, day)
	}
}

// decided says whether this ingester holds the day name (held) or knows
// another does; decided is false for a day it has yet to claim. With
// affinity off every day counts as held once it is seeded.
func (a *dayAffinity) decided(name string) (held, decided bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.claims == nil {
		_, seeded := a.seeded[name]
		return true, seeded || a.claimed == nil
	}
	a.tick++
	if _, ok := a.owned[name]; ok {
		a.owned[name] = a.tick
		return true, true
	}
	_, other := a.others[name]
	return false, other
}

// setAside keeps o for the end of the listing, unless maxDeferred are
// kept already: then o is to be taken now (true).
func (a *dayAffinity) setAside(o object) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.later) >= maxDeferred {
		return true
	}
	o.setAside = true
	a.later = append(a.later, o)
	return false
}

// own records the claim name and returns the least recently used one
// beyond maxOwnedDays, for the caller to give back ("" for none).
func (a *dayAffinity) own(name string) (evict string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tick++
	a.owned[name] = a.tick
	if len(a.owned) <= maxOwnedDays {
		return ""
	}
	for n, t := range a.owned {
		if evict == "" || t < a.owned[evict] {
			evict = n
		}
	}
	delete(a.owned, evict)
	return evict
}

// fail turns affinity off after a failed claim or release, saying so
// unless the run is being cancelled.
func (a *dayAffinity) fail(ctx context.Context, err error) {
	if ctx.Err() == nil {
		a.log.Warn("day claims failed; ingesting without them", "err", err)
	}
	a.close()
}

// pop takes the first object set aside, for the end of the listing.
func (a *dayAffinity) pop() (object, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.later) == 0 {
		return object{}, false
	}
	o := a.later[0]
	a.later[0] = object{}
	a.later = a.later[1:]
	return o, true
}

// waiting is how many objects are set aside.
func (a *dayAffinity) waiting() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.later)
}

// close gives back every claim and turns affinity off.
func (a *dayAffinity) close() {
	a.mu.Lock()
	claims := a.claims
	a.claims = nil
	// The days held were seeded when claimed: without claims they are
	// not seeded again.
	for name := range a.owned {
		if len(a.seeded) < maxOthersDays {
			a.seeded[name] = struct{}{}
		}
	}
	clear(a.owned)
	a.mu.Unlock()
	if claims != nil {
		claims.Close()
	}
}
