package pushdown

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/iamtrim/iamtrim/internal/option"
)

// Partitioning is how an Athena table is partitioned.
type Partitioning string

// Partitionings of the Athena table.
const (
	// Projection is the table AWS documents with partition projection: one
	// partition column `timestamp`, the delivery day as yyyy/MM/dd.
	Projection Partitioning = "projection"
	// RegionYMD is the older layout with partitions region, year, month
	// and day (added with ALTER TABLE ADD PARTITION).
	RegionYMD Partitioning = "region-ymd"
	// Unpartitioned tables are scanned whole: only for small trails.
	Unpartitioned Partitioning = "none"
)

// Query is what to ask of one engine: a window of one table or event data
// store, optionally only some regions and accounts.
type Query struct {
	Dialect Dialect
	// Database and Table name the Athena table; Table alone the
	// PostgreSQL table (with a jsonb column raw); EventDataStore the
	// CloudTrail Lake event data store (its ARN or ID).
	Database, Table, EventDataStore string
	Partitioning                    Partitioning
	// Since and Until bound eventTime, [Since, Until); both required.
	Since, Until time.Time
	// Regions and Accounts, when set, are the only awsRegion and
	// recipientAccountId values grouped.
	Regions, Accounts []string
	// ObjectPrefixDepth is the rollup's object prefix depth: S3 object
	// keys are cut to it in the query, as the rollup cuts them (0: whole
	// keys, not cut). The query must not cut keys shorter than the rollup
	// keeps them: ingest.RunPushdown sets it from the rollup's bounds.
	ObjectPrefixDepth int
}

var (
	nameRE    = regexp.MustCompile(`^[A-Za-z0-9_]{1,255}$`)
	storeRE   = regexp.MustCompile(`^(arn:[a-z-]+:cloudtrail:[a-z0-9-]+:[0-9]{12}:eventdatastore/)?[A-Za-z0-9-]{3,128}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
)

// maxObjectPrefixDepth is the deepest object prefix depth the rollup takes
// (rollup.CheckBounds).
const maxObjectPrefixDepth = 64

// ErrInvalid is wrapped by Validate's errors.
var ErrInvalid = errors.New("invalid query")

// Validate reports the first bad field.
func (q Query) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
	}
	switch q.Dialect {
	case Athena:
		if !nameRE.MatchString(q.Database) {
			return bad("database %q: want letters, digits and underscores", q.Database)
		}
		if !nameRE.MatchString(q.Table) {
			return bad("table %q: want letters, digits and underscores", q.Table)
		}
		switch q.Partitioning {
		case Projection, RegionYMD, Unpartitioned:
		default:
			return bad("partitioning %v", option.OneOf(q.Partitioning, Projection, RegionYMD, Unpartitioned))
		}
	case Lake:
		if !storeRE.MatchString(q.EventDataStore) {
			return bad("event data store %q: want its ARN or ID", q.EventDataStore)
		}
	case Postgres:
		if !nameRE.MatchString(q.Table) {
			return bad("table %q: want letters, digits and underscores", q.Table)
		}
	default:
		return bad("dialect %v", q.Dialect)
	}
	if q.ObjectPrefixDepth < 0 || q.ObjectPrefixDepth > maxObjectPrefixDepth {
		return bad("object prefix depth %d: want 0 (whole keys) to %d", q.ObjectPrefixDepth, maxObjectPrefixDepth)
	}
	if q.Since.IsZero() || q.Until.IsZero() {
		return bad("since and until are both required: the window bounds the partitions scanned")
	}
	if !q.Since.Before(q.Until) {
		return bad("until %s is not after since %s", q.Until.UTC().Format(time.RFC3339), q.Since.UTC().Format(time.RFC3339))
	}
	for _, r := range q.Regions {
		if !regionRE.MatchString(r) {
			return bad("region %q is not a region name", r)
		}
	}
	for _, a := range q.Accounts {
		if !accountRE.MatchString(a) {
			return bad("account %q is not a 12-digit AWS account id", a)
		}
	}
	return nil
}

// Columns returns the names of the result's columns, in order: the
// grouping columns, then day, events, first_time and last_time.
func Columns() []string {
	var out []string
	for _, c := range columns(0) {
		out = append(out, c.name)
	}
	return append(out, "day", "events", "first_time", "last_time")
}

// SQL returns the query text.
func (q Query) SQL() (string, error) {
	if err := q.Validate(); err != nil {
		return "", err
	}
	d := q.Dialect
	since, until := q.Since.UTC(), q.Until.UTC()
	var eventTime, eventID, day, from string
	var where []string
	switch d {
	case Athena:
		eventTime, eventID, day = "eventtime", "eventid", "substr(eventtime, 1, 10)"
		from = `"` + q.Database + `"."` + q.Table + `"`
		// Delivery days: a file is delivered on its events' day or later
		// (up to a day late around midnight), never earlier.
		first, last := since.Format("2006/01/02"), until.Format("2006/01/02")
		switch q.Partitioning {
		case Projection:
			where = append(where, `"timestamp" BETWEEN `+sqlString(first)+" AND "+sqlString(last))
		case RegionYMD:
			var years, months []string
			for m := time.Date(since.Year(), since.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(until); m = m.AddDate(0, 1, 0) {
				if y := m.Format("2006"); len(years) == 0 || years[len(years)-1] != y {
					years = append(years, y)
				}
				if mo := m.Format("01"); !contains(months, mo) {
					months = append(months, mo)
				}
			}
			where = append(where, "year IN ("+sqlList(years)+")", "month IN ("+sqlList(months)+")",
				"concat(year, '/', month, '/', day) BETWEEN "+sqlString(first)+" AND "+sqlString(last))
			if len(q.Regions) > 0 {
				where = append(where, "region IN ("+sqlList(q.Regions)+")")
			}
		}
		where = append(where,
			"eventtime >= "+sqlString(since.Format("2006-01-02T15:04:05Z")),
			"eventtime < "+sqlString(until.Format("2006-01-02T15:04:05Z")),
			"eventid IS NOT NULL", "eventsource IS NOT NULL", "eventname IS NOT NULL", "useridentity IS NOT NULL")
	case Lake:
		eventTime, eventID, day = "eventtime", "eventid", "CAST(date(eventtime) AS varchar)"
		from = q.EventDataStore[strings.LastIndexByte(q.EventDataStore, '/')+1:]
		where = append(where,
			"eventtime >= "+sqlString(since.Format("2006-01-02 15:04:05")),
			"eventtime < "+sqlString(until.Format("2006-01-02 15:04:05")),
			"eventid IS NOT NULL", "eventsource IS NOT NULL", "eventname IS NOT NULL", "useridentity IS NOT NULL")
	case Postgres:
		eventTime, eventID, day = pgStr("eventTime"), pgStr("eventID"), "substr("+pgStr("eventTime")+", 1, 10)"
		from = q.Table
		where = append(where,
			"("+eventTime+") >= "+sqlString(since.Format("2006-01-02T15:04:05Z")),
			"("+eventTime+") < "+sqlString(until.Format("2006-01-02T15:04:05Z")),
			"("+eventID+") IS NOT NULL", "("+pgStr("eventSource")+") IS NOT NULL", "("+pgStr("eventName")+") IS NOT NULL",
			"jsonb_typeof(raw -> 'userIdentity') = 'object'")
	}
	cols := columns(q.ObjectPrefixDepth)
	if len(q.Regions) > 0 {
		where = append(where, "("+awsRegionCol.expr[d]+") IN ("+sqlList(q.Regions)+")")
	}
	if len(q.Accounts) > 0 {
		where = append(where, "("+recipientAccountCol.expr[d]+") IN ("+sqlList(q.Accounts)+")")
	}
	var b strings.Builder
	b.WriteString("SELECT\n")
	for _, c := range cols {
		fmt.Fprintf(&b, "  %s AS %s,\n", c.expr[d], c.name)
	}
	fmt.Fprintf(&b, "  %s AS day,\n", day)
	fmt.Fprintf(&b, "  count(DISTINCT %s) AS events,\n", eventID)
	fmt.Fprintf(&b, "  min(%s) AS first_time,\n", eventTime)
	fmt.Fprintf(&b, "  max(%s) AS last_time\n", eventTime)
	fmt.Fprintf(&b, "FROM %s\n", from)
	fmt.Fprintf(&b, "WHERE %s\n", strings.Join(where, "\n  AND "))
	groups := make([]string, len(cols)+1)
	for i := range groups {
		groups[i] = strconv.Itoa(i + 1)
	}
	fmt.Fprintf(&b, "GROUP BY %s\n", strings.Join(groups, ", "))
	return b.String(), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
