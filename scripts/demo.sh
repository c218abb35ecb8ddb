#!/usr/bin/env bash
# make demo: run iamtrim end to end on the bundled sample organisation.
# It finds a PostgreSQL server (DATABASE_URL, the PG* variables, or the local
# server) and always uses its own database, iamtrim_demo, there: a
# DATABASE_URL or PGDATABASE that names your database is used for its
# server and credentials only, so your data is never touched. When no
# server is named and none answers, iamtrim's private store stands in
# (started from the machine's PostgreSQL binaries, socket only), kept up for
# the demo's commands and stopped at the end.
#
# scripts/demo.sh --print-database prints the connection string the demo
# would use (for tests) and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${IAMTRIM_BIN:-./bin/iamtrim}
SAMPLE=testdata/sample
CATALOG=testdata/catalog
OUT=demo-out
DEMO_DB=iamtrim_demo

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

# demo_url replaces the database of a postgres:// URL or a libpq
# keyword/value string with $DEMO_DB, keeping server, user and options.
demo_url() {
	case "$1" in
	postgres://* | postgresql://*)
		# scheme://[userinfo@]host[:port][/dbname][?params]
		printf '%s\n' "$1" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\\1/$DEMO_DB#"
		;;
	*)
		# dbname=... (quoted or not) removed, then set last: the last wins.
		printf '%s dbname=%s\n' "$(printf '%s\n' "$1" | sed -E "s/(^|[[:space:]])dbname[[:space:]]*=[[:space:]]*('([^'\\]|\\.)*'|[^[:space:]]+)//g")" "$DEMO_DB"
		;;
	esac
}

if [ -n "${DATABASE_URL:-}" ]; then
	DATABASE_URL=$(demo_url "$DATABASE_URL")
	export DATABASE_URL
elif [ -n "${PGHOST:-}${PGHOSTADDR:-}${PGPORT:-}${PGUSER:-}${PGSERVICE:-}${PGPASSWORD:-}" ]; then
	# The server from the PG* variables; the database named here wins
	# over PGDATABASE and a service file's.
	export DATABASE_URL="dbname=$DEMO_DB"
else
	export PGDATABASE=$DEMO_DB
fi
if [ "${1:-}" = --print-database ]; then
	printf '%s\n' "${DATABASE_URL:-PGDATABASE=$PGDATABASE}"
	exit 0
fi
mkdir -p "$OUT"

if [ -z "${DATABASE_URL:-}" ]; then
	# With no server named and none answering, iamtrim starts its private
	# store (README: The private store); keep it up across the demo's
	# commands and stop it at the end unless it was running before.
	export IAMTRIM_KEEP_SERVER=1
	if ! "$BIN" server status 2>/dev/null | grep -q '^state: *running'; then
		trap '"$BIN" server stop >/dev/null 2>&1 || true' EXIT
	fi
	# Without PGUSER, libpq uses the OS user; fall back to postgres when that role does not exist.
	if ! "$BIN" migrate >/dev/null 2>"$OUT/migrate.err" && grep -q 'role .* does not exist' "$OUT/migrate.err"; then
		export PGUSER=postgres
	fi
fi

start=$(date +%s.%N)
step "database"
"$BIN" migrate

step "load the action catalog ($CATALOG)"
"$BIN" catalog load "$CATALOG"

step "load the authorization details ($SAMPLE/authz.json)"
"$BIN" ingest authz "$SAMPLE/authz.json"

step "load what the trail logs ($SAMPLE/trails.json)"
"$BIN" ingest trails "$SAMPLE/trails.json"

step "load the organisation and its SCPs ($SAMPLE/org.json)"
"$BIN" ingest org "$SAMPLE/org.json"

step "ingest CloudTrail ($SAMPLE/AWSLogs)"
"$BIN" ingest cloudtrail --no-progress "$SAMPLE/AWSLogs"

step "ingest IAM last-accessed data ($SAMPLE/lastaccessed)"
"$BIN" ingest lastaccessed "$SAMPLE"/lastaccessed/*.json

step "analyze: granted vs used over 90 days"
"$BIN" analyze --window 90d

ROLE=orders-api-lambda
step "recommend a least-privilege policy for $ROLE (proof on stderr)"
"$BIN" recommend "$ROLE" --window 90d --format policy -o "$OUT/$ROLE.policy.json"
cat "$OUT/$ROLE.policy.json"
"$BIN" recommend "$ROLE" --window 90d --format diff -o "$OUT/$ROLE.diff" 2>/dev/null
grep -v '^- ' "$OUT/$ROLE.diff"
echo "($(grep -c '^- ' "$OUT/$ROLE.diff") removed actions not shown: see $OUT/$ROLE.diff)"

step "backtest: recommend from the first 60 days, replay the last 30 against it"
"$BIN" backtest --all --train 60d --test 30d

step "the nightly job (iamtrim run --fail-on critical, with the sample's exceptions register): every stage again (nothing new to ingest), a policy per role, the quarterly report"
# The register accepts role/break-glass's critical findings until
# 2027-10-29 (and holds one expired entry): the run exits 0, and 4 once the
# exception expires (try IAMTRIM_NOW=2027-10-30 on a scratch database).
rc=0
"$BIN" run --config testdata/iamtrim.sample.yaml --exceptions "$SAMPLE/exceptions.yaml" --fail-on critical || rc=$?
case $rc in
0) echo "exit 0: no critical finding outside the exceptions register" ;;
4) echo "exit 4: a critical finding no active exception accepts" ;;
*) exit "$rc" ;;
esac
echo
echo "policies: $(ls "$OUT/policies" | wc -l) files in $OUT/policies"
echo "report:   $OUT/$(cd "$OUT" && ls report-*.html | tail -1) (self-contained HTML)"

step "the one-command path: iamtrim trim $ROLE (reuses what is stored; nothing new to ingest)"
"$BIN" trim "$ROLE" --logs "$SAMPLE/AWSLogs" --authz "$SAMPLE/authz.json" --catalog "$CATALOG" --trails "$SAMPLE/trails.json" \
	--format policy -o "$OUT/$ROLE.trim.json"
echo "policy: $OUT/$ROLE.trim.json"

end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN{printf "\ndemo finished in %.1fs\n", e-s}' >&2
