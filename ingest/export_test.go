package ingest

import "time"

// DayClaim is the claim an ingester holds while it takes the objects of
// account's day, for tests of package ingest_test that play another
// ingester.
func DayClaim(account string, day time.Time) string {
	name, _, _ := dayOf(object{account: account, day: day})
	return name
}

// SetReadAheadMax sets the bound on the bytes a run reads ahead of its
// groups (at most a third of the memory budget) for the runs that start
// until restore is called.
func SetReadAheadMax(n int64) (restore func()) {
	old := readAheadMaxBytes
	readAheadMaxBytes = n
	return func() { readAheadMaxBytes = old }
}
