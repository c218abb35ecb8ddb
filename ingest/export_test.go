package ingest

import "time"

// DayClaim is the claim an ingester holds while it takes the objects of
// account's day, for tests of package ingest_test that play another
// ingester.
func DayClaim(account string, day time.Time) string {
	name, _, _ := dayOf(object{account: account, day: day})
	return name
}
