#!/usr/bin/env bash
# scripts/faults.sh: the fault runs of issue 10, runnable by anyone with a
# local PostgreSQL (or IAMTRIM_FAULTS_SERVER=postgres://USER@HOST:PORT).
#
#  (a) kill -9 `ingest cloudtrail` at 10 moments, then one re-run: totals
#      must equal a clean ingest's, 10/10;
#  (b) 4 concurrent ingesters x 5 trials: no errors, totals equal one
#      ingest's;
#  (c) `iamtrim run` killed at 9 moments, then one re-run, with the default
#      rollup bounds: its outputs must be byte-identical to a clean run's
#      (timestamps aside);
#  (d) with the default rollup bounds, 4 concurrent ingesters x 2 trials and
#      kill -9 at 3 moments: the counts (per principal, day and action, and
#      per context without the network) must equal a clean ingest's.
#
# Which resources (networks) the rollup stores exact under a cap or before a
# fold depends on the order files are read, so (a) and (b), which compare
# what is stored, run with the fold off and the resource cap out of reach
# (--collapse-at 0 --max-resources 100000), and compare the context rollup
# summed over networks (with the network cap checked); (c) compares what
# the nightly job writes from the rollup, which must not depend on that
# order (analyze reads a fold pattern with the resources it covers), so it
# runs with the default bounds; (d) checks that the default bounds lose no
# count.
#
# It builds the binary, generates a corpus with `iamtrim sample`, and uses
# scratch databases iamtrim_faults_* of its own (dropped first and last).
# Sizes: FAULTS_EVENTS (default 200000), FAULTS_FILES (300). Exits 1 when
# any check fails. Only `bash`, `psql` and Go are needed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
SERVER=${IAMTRIM_FAULTS_SERVER:-postgres://postgres@127.0.0.1:5432}
EVENTS=${FAULTS_EVENTS:-200000}
FILES=${FAULTS_FILES:-300}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/iamtrim-faults.XXXXXX")
BIN=$WORK/iamtrim
say() { printf '%s\n' "$*" >&2; }
db() { printf '%s/iamtrim_faults_%s?sslmode=disable' "$SERVER" "$1"; }
export PGOPTIONS="-c client_min_messages=warning"
sql() { psql -X -q -v ON_ERROR_STOP=1 "$SERVER/postgres?sslmode=disable" -Atc "$1"; }
dropdb_() { sql "DROP DATABASE IF EXISTS iamtrim_faults_$1 WITH (FORCE)" >/dev/null; }
dbs=()
fresh() { dropdb_ "$1"; dbs+=("$1"); }
cleanup() {
	for d in "${dbs[@]}"; do dropdb_ "$d" || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT

# totals prints a digest of everything ingest wrote that must not depend on
# how the work was split, interrupted or repeated (principal ids aside).
totals() {
	psql -X -q -v ON_ERROR_STOP=1 "$(db "$1")" -At <<'SQL' | md5sum | cut -c1-12
SELECT count(*) FROM ingest_event_seen;
SELECT arn, account_id, type, name FROM usage_principal ORDER BY arn;
SELECT p.arn, u.day, u.action, u.resource, u.invoked_by, u.account_id, u.calls, u.denied, u.unauthenticated, u.first_seen, u.last_seen
	FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id ORDER BY 1, 2, 3, 4, 5, 6;
SELECT p.arn, u.day, u.kind, u.event_source, u.event_name, u.invoked_by, u.account_id, u.calls, u.denied, u.unauthenticated, u.first_seen, u.last_seen
	FROM usage_unmapped_daily u JOIN usage_principal p ON p.id = u.principal_id ORDER BY 1, 2, 3, 4, 5, 6, 7;
SELECT p.arn, u.day, u.region, u.mfa, u.user_agent_class, sum(u.calls)
	FROM usage_context_daily u JOIN usage_principal p ON p.id = u.principal_id GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
SELECT 'principal-days over the network cap', count(*) FROM (SELECT principal_id, day FROM usage_context_daily
	WHERE network <> '*' GROUP BY 1, 2 HAVING count(DISTINCT network) > 4) o;
SELECT account_id, region, day, events, first_seen, last_seen FROM log_coverage_daily ORDER BY 1, 2, 3;
SELECT source, key, status FROM ingest_object ORDER BY 1, 2;
SQL
}

# counts prints a digest of what the rollup bounds must not change: calls
# per principal, day and action (whatever resources they were kept under),
# unmapped calls, context calls summed over networks, coverage, the ledger.
counts() {
	psql -X -q -v ON_ERROR_STOP=1 "$(db "$1")" -At <<'SQL' | md5sum | cut -c1-12
SELECT count(*) FROM ingest_event_seen;
SELECT p.arn, u.day, u.action, u.invoked_by, u.account_id, sum(u.calls), sum(u.denied), sum(u.unauthenticated), min(u.first_seen), max(u.last_seen)
	FROM usage_daily u JOIN usage_principal p ON p.id = u.principal_id GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
SELECT p.arn, u.day, u.kind, u.event_source, u.event_name, u.invoked_by, u.account_id, u.calls, u.denied, u.unauthenticated, u.first_seen, u.last_seen
	FROM usage_unmapped_daily u JOIN usage_principal p ON p.id = u.principal_id ORDER BY 1, 2, 3, 4, 5, 6, 7;
SELECT p.arn, u.day, u.region, u.mfa, u.user_agent_class, sum(u.calls)
	FROM usage_context_daily u JOIN usage_principal p ON p.id = u.principal_id GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
SELECT account_id, region, day, events, first_seen, last_seen FROM log_coverage_daily ORDER BY 1, 2, 3;
SELECT source, key, status FROM ingest_object ORDER BY 1, 2;
SQL
}

# EXACT: the bounds under which the rollup does not depend on file order.
EXACT=(--collapse-at 0 --max-resources 100000)
ingest() { # ingest DB [LOG]
	"$BIN" --db "$(db "$1")" --log-level warn ingest cloudtrail --no-progress "${EXACT[@]}" "$CORPUS/AWSLogs" >"${2:-/dev/null}" 2>&1
}

# kill_at SECONDS CMD...: start CMD, kill -9 it after SECONDS.
kill_at() {
	local at=$1
	shift
	"$@" &
	local pid=$!
	sleep "$at"
	# CMD may be a shell function, run in a subshell: kill what it
	# started first (the iamtrim process), then the subshell.
	kill -9 $(pgrep -P "$pid") "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# verdict AT RC WHAT GOT WANT LOG: says whether a re-run after a kill at AT
# exited 0 with what a clean run gave; fails (and marks the run failed)
# otherwise.
verdict() {
	if [ "$2" = 0 ] && [ "$4" = "$5" ]; then
		say "  kill at ${1}s: re-run exit $2, $3 $4: same"
		return 0
	fi
	fail=1
	say "  kill at ${1}s: re-run exit $2, $3 $4: DIFFERENT"
	tail -5 "$6" | sed 's/^/    /' >&2
	return 1
}

now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN{printf "%.2f", e-s}'; }
frac() { awk -v d="$1" -v k="$2" -v n="$3" 'BEGIN{printf "%.3f", d*k/n}'; }

say "== build and corpus ($EVENTS events, ~$FILES files) in $WORK"
go build -o "$BIN" ./cmd/iamtrim
CORPUS=$WORK/corpus
"$BIN" sample --out "$CORPUS" --events "$EVENTS" --files "$FILES" --days 30 >/dev/null 2>&1
"$BIN" --db "$(db x)" --help >/dev/null

fail=0

# fresh_catalog DB: a fresh scratch database with the test catalog loaded.
fresh_catalog() {
	fresh "$1"
	"$BIN" --db "$(db "$1")" catalog load testdata/catalog >/dev/null 2>&1
}

# reference DB DIGEST: a clean ingest into a fresh database DB; sets
# $clean (its seconds) and $want (its DIGEST: totals or counts).
reference() {
	fresh_catalog "$1"
	local t0
	t0=$(now)
	ingest "$1"
	clean=$(elapsed "$t0")
	want=$("$2" "$1")
}

# killed_reruns PREFIX N DIGEST WANT CLEAN: N ingests into fresh databases
# PREFIX1..N, each killed with kill -9 at a moment spread over CLEAN seconds
# (migrations included: the first kill lands early, the last near the end)
# and run again; counts in $reruns_ok those whose DIGEST (totals or
# counts) is WANT.
killed_reruns() {
	local prefix=$1 n=$2 digest=$3 want=$4 clean=$5 k at rc got
	reruns_ok=0
	for k in $(seq 1 "$n"); do
		fresh_catalog "$prefix$k"
		at=$(frac "$clean" "$k" $((n + 1)))
		kill_at "$at" ingest "$prefix$k"
		rc=0
		ingest "$prefix$k" "$WORK/$prefix$k.log" || rc=$?
		got=$("$digest" "$prefix$k")
		verdict "$at" "$rc" "$digest" "$got" "$want" "$WORK/$prefix$k.log" && reruns_ok=$((reruns_ok + 1))
		dropdb_ "$prefix$k"
	done
}

# concurrent DB: 4 ingesters into a fresh database DB at once; the exit
# status is how many of them failed (the last lines of their logs shown).
concurrent() {
	local pids=() w i bad=0
	fresh_catalog "$1"
	"$BIN" --db "$(db "$1")" migrate >/dev/null 2>&1
	for w in 1 2 3 4; do
		ingest "$1" "$WORK/$1.$w.log" &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			bad=$((bad + 1))
			sed 's/^/    /' "$WORK/$1.$((i + 1)).log" | tail -3 >&2
		fi
	done
	return "$bad"
}

say "== (a) kill -9 during ingest at 10 moments, then one re-run"
reference ref totals
say "clean ingest: ${clean}s, totals $want"
killed_reruns k 10 totals "$want" "$clean"
say "(a) $reruns_ok/10 re-runs after kill -9 reach the clean totals"
A=$reruns_ok

say "== (b) 4 concurrent ingesters x 5 trials"
errors=0
same=0
for trial in $(seq 1 5); do
	bad=0
	concurrent "c$trial" || bad=$?
	errors=$((errors + bad))
	got=$(totals "c$trial")
	[ "$got" = "$want" ] && same=$((same + 1))
	say "  trial $trial: $bad of 4 exited non-zero, totals $got"
	dropdb_ "c$trial"
done
say "(b) $errors errors in 20 processes; $same/5 trials with the clean totals"
[ "$errors" = 0 ] && [ "$same" = 5 ] || fail=1
B="$errors errors, $same/5"

say "== (c) iamtrim run killed at 9 moments, then one re-run"
config() { # config DB OUT
	cat >"$WORK/$1.yaml" <<YAML
out_dir: $2
catalog:
  source: $PWD/testdata/catalog
authz:
  files: [$CORPUS/authz.json]
trails:
  file: $CORPUS/trails.json
cloudtrail:
  sources: [$CORPUS/AWSLogs]
analyze:
  window: 30d
recommend:
  format: policy
report:
  formats: [table, html, csv]
YAML
	printf '%s' "$WORK/$1.yaml"
}
# Timestamps aside: ISO dates with a time, and durations, are masked; so
# are the ids of stored snapshots ("authorization snapshot 2"): a killed
# run can take an id from a sequence in a transaction that never commits,
# so the re-run's snapshot of the same content gets the next one.
digest_out() {
	(cd "$1" && find . -type f ! -name '.*' | sort | while read -r f; do
		printf '%s\n' "$f"
		sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2}| UTC)?/TIME/g; s/[0-9]+(\.[0-9]+)?(ms|s|µs)\b/DUR/g; s/(snapshot|snapshot_id|"snapshot_id": ?|"id": ?)[ =]?[0-9]+/\1 ID/g' "$f"
	done) | md5sum | cut -c1-12
}
fresh rref
cfg=$(config rref "$WORK/out-ref")
t0=$(now)
"$BIN" --db "$(db rref)" --log-level warn run --config "$cfg" >/dev/null 2>"$WORK/rref.log" || { say "clean run failed:"; tail -5 "$WORK/rref.log" >&2; exit 1; }
rclean=$(elapsed "$t0")
rwant=$(digest_out "$WORK/out-ref")
say "clean run: ${rclean}s, outputs $rwant ($(find "$WORK/out-ref" -type f | wc -l) files)"
rok=0
for k in $(seq 1 9); do
	fresh "r$k"
	cfg=$(config "r$k" "$WORK/out-$k")
	at=$(frac "$rclean" "$k" 10)
	kill_at "$at" "$BIN" --db "$(db "r$k")" --log-level warn run --config "$cfg" >/dev/null 2>&1
	rc=0
	"$BIN" --db "$(db "r$k")" --log-level warn run --config "$cfg" >/dev/null 2>"$WORK/r$k.log" || rc=$?
	got=$(digest_out "$WORK/out-$k")
	if verdict "$at" "$rc" outputs "$got" "$rwant" "$WORK/r$k.log"; then
		rok=$((rok + 1))
	else
		diff -r "$WORK/out-ref" "$WORK/out-$k" | head -10 | sed 's/^/    /' >&2 || true
	fi
	dropdb_ "r$k"
done
say "(c) $rok/9 runs killed and re-run give the clean outputs"

say "== (d) default rollup bounds: 4 concurrent ingesters x 2 trials, kill -9 at 3 moments"
EXACT=()
reference dref counts
dclean=$clean dwant=$want
say "clean ingest: ${dclean}s, counts $dwant"
dok=0
for trial in 1 2; do
	rc=0
	concurrent "d$trial" || rc=$?
	got=$(counts "d$trial")
	if [ "$rc" = 0 ] && [ "$got" = "$dwant" ]; then
		dok=$((dok + 1))
		say "  trial $trial: 4 ingesters exit 0, counts $got: same"
	else
		fail=1
		say "  trial $trial: exit $rc, counts $got: DIFFERENT"
	fi
	dropdb_ "d$trial"
done
killed_reruns dk 3 counts "$dwant" "$dclean"
dok=$((dok + reruns_ok))
say "(d) $dok/5 runs with the default bounds keep the clean counts"

say ""
say "summary: (a) $A/10 identical totals after kill -9 + re-run; (b) 4 concurrent ingesters x 5 trials: $B; (c) $rok/9 identical run outputs; (d) $dok/5 default-bounds runs with the clean counts"
exit "$fail"
