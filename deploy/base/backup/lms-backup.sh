#!/usr/bin/env bash
# LmsPlatform's database backups, and the restore test that proves one can be used. The same script runs from
# `./lms backup` / `./lms restore-test` on one machine and from the lms-backup CronJob on Kubernetes.
#
#   lms-backup.sh backup <folder>               dump every service database into <folder>/<UTC time>/
#   lms-backup.sh restore-test <folder> [name]  restore the newest (or the named) backup into scratch databases, check
#                                               it, write restore-test.json beside it, and drop the scratch databases
#
# The server comes from libpq's own variables (PGHOST, PGPORT, PGUSER, PGPASSWORD). LMS_DATABASES names the databases
# (the six services' by default); LMS_BACKUPS_KEEP how many backups to keep (14). LMS_BACKUP_FILES names a folder of
# files to keep with the databases (the content store of a one-machine run; on Kubernetes the object store keeps its
# own versions).
#
# A backup is a folder holding one pg_dump archive (custom format) per database and, written last, manifest.json: when
# it was taken, and for each database its archive's size, its tables and its rows. The rows are counted in the very
# snapshot pg_dump reads (an exported snapshot), so a restore must give back exactly that many. A backup is written as
# <name>.partial and renamed when complete: a folder without ".partial" is a whole backup. The archives hold every
# secret the services keep (identity's signing keys among them), so they are readable by their owner only (umask 077).
# What the cockpit may read is copied to <folder>/status/ (readable by all): each backup's manifest, and each restore
# test's result, kept apart from the backups so that retention does not take a month's restore test with its backup.
# Analytics mounts only that folder (Operations:Backups:Path).
set -euo pipefail

databases=${LMS_DATABASES:-identitydb cataloguedb enrolmentdb contentdb notificationdb analyticsdb}
keep=${LMS_BACKUPS_KEEP:-14}
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
fail() { echo "lms-backup: $*" >&2; exit 1; }
# Writes stdin to a status file readable by the cockpit, whole or not at all (a temporary file renamed).
publish() { mkdir -p "$1/status" && chmod 755 "$1/status" && cat >"$1/status/.$2.tmp" && chmod 644 "$1/status/.$2.tmp" && mv "$1/status/.$2.tmp" "$1/status/$2"; }
# A string as JSON: backslashes and quotes escaped, control characters as spaces.
json_string() { printf '"%s"' "$(printf '%s' "$1" | tr '\000-\037' ' ' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }
umask 077
# A write to a psql that has ended fails (and is reported) instead of killing the script.
trap '' PIPE

# Every user table's rows, summed (query_to_xml runs one count per table inside the one statement).
rows_sql="SELECT coalesce(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', schemaname, tablename),
  false, true, '')))[1]::text::bigint), 0) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
tables_sql="SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"

backup() {
  local root=$1 started stamp dir db snapshot rows tables bytes entries=()
  started=$(now)
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  dir="$root/$stamp"
  mkdir -p "$dir.partial"
  for db in $databases; do
    # A transaction that exports its snapshot and counts in it, held open while pg_dump reads the same snapshot.
    # (psql talks through two named pipes: a psql that ends early, refused by the server, is read as its error.)
    local pipes pid to from
    pipes=$(mktemp -d)
    mkfifo "$pipes/in" "$pipes/out"
    psql -d "$db" -qAtX -v ON_ERROR_STOP=1 <"$pipes/in" >"$pipes/out" 2>&1 &
    pid=$!
    exec {to}>"$pipes/in" {from}<"$pipes/out"
    echo "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();" >&"$to" 2>/dev/null || true
    read -r snapshot <&"$from" || snapshot=""
    [[ $snapshot =~ ^[0-9A-F]+-[0-9A-F]+-[0-9]+$ ]] || fail "$db: could not open a snapshot: ${snapshot:-psql ended}"
    echo "$rows_sql; $tables_sql;" >&"$to"
    read -r rows <&"$from" && read -r tables <&"$from" || fail "$db: could not count its rows"
    [[ $rows =~ ^[0-9]+$ && $tables =~ ^[0-9]+$ ]] || fail "$db: could not count its rows: $rows $tables"
    pg_dump -d "$db" --format=custom --no-owner --snapshot="$snapshot" --file="$dir.partial/$db.dump" || fail "$db: pg_dump failed"
    echo "COMMIT;" >&"$to"
    exec {to}>&-
    wait "$pid" 2>/dev/null || true
    exec {from}<&-
    rm -rf "$pipes"
    bytes=$(stat -c %s "$dir.partial/$db.dump")
    entries+=("{\"name\":\"$db\",\"bytes\":$bytes,\"tables\":$tables,\"rows\":$rows}")
  done
  local files=""
  if [ -n "${LMS_BACKUP_FILES:-}" ] && [ -d "$LMS_BACKUP_FILES" ]; then
    # The store is live: a file changed or removed while it is read is a warning (exit 1), not a failed backup.
    tar -cf "$dir.partial/files.tar" --ignore-failed-read --warning=no-file-changed --warning=no-file-removed -C "$LMS_BACKUP_FILES" . || [ $? -eq 1 ] \
      || fail "the files of $LMS_BACKUP_FILES could not be archived"
    files=",\"files\":$(tar -tf "$dir.partial/files.tar" | grep -vc '/$' || true)"
  fi
  printf '{"takenAt":"%s","finishedAt":"%s","databases":[%s]%s}\n' "$started" "$(now)" "$(IFS=,; echo "${entries[*]}")" "$files" >"$dir.partial/manifest.json"
  mv "$dir.partial" "$dir"
  publish "$root" "$stamp.manifest.json" <"$dir/manifest.json"
  # The newest $keep backups (and their manifests) are kept; an abandoned .partial folder older than a day goes too;
  # restore test results stay two years.
  local old
  for old in $(find "$root" -mindepth 1 -maxdepth 1 -type d -name '*Z' | sort | head -n "-$keep"); do
    rm -rf "$old" "$root/status/$(basename "$old").manifest.json"
  done
  find "$root" -mindepth 1 -maxdepth 1 -type d -name '*.partial' -mmin +1440 -exec rm -rf {} +
  find "$root/status" -name '*.restore-test.json' -mtime +730 -delete
  echo "Backed up ${databases// /, } to $dir" >&2
  echo "$dir"
}

# The value of "key":number for one database's entry of a manifest.
manifest_value() { grep -o "{\"name\":\"$2\"[^}]*}" "$1" | grep -o "\"$3\":[0-9]*" | cut -d: -f2; }

restore_test() {
  local root=$1 name=${2:-} dir db dump scratch tables rows expected_tables expected_rows passed=true entries=() problems=() error
  if [ -n "$name" ]; then dir="$root/$name"
  else dir=$(find "$root" -mindepth 1 -maxdepth 1 -type d -name '*Z' 2>/dev/null | sort | tail -n 1); fi
  [ -n "$dir" ] && [ -f "$dir/manifest.json" ] || fail "no complete backup in $root${name:+ named $name}"
  for dump in "$dir"/*.dump; do
    db=$(basename "$dump" .dump)
    scratch="lms_restore_test_$db"
    dropdb --if-exists "$scratch"
    createdb "$scratch"
    if error=$(pg_restore --no-owner --exit-on-error -d "$scratch" "$dump" 2>&1); then
      tables=$(psql -d "$scratch" -qAtX -c "$tables_sql")
      rows=$(psql -d "$scratch" -qAtX -c "$rows_sql")
      expected_tables=$(manifest_value "$dir/manifest.json" "$db" tables)
      expected_rows=$(manifest_value "$dir/manifest.json" "$db" rows)
      if [ "$tables" != "$expected_tables" ] || [ "$rows" != "$expected_rows" ]; then
        passed=false
        problems+=("$db: restored $tables tables and $rows rows, the backup holds $expected_tables and $expected_rows")
      fi
    else
      passed=false
      tables=0 rows=0
      problems+=("$db: pg_restore failed: $(tr '\n' ' ' <<<"$error" | cut -c1-300)")
    fi
    dropdb --if-exists "$scratch"
    entries+=("{\"name\":\"$db\",\"tables\":$tables,\"rows\":$rows}")
  done
  if [ -f "$dir/files.tar" ]; then
    local files expected_files
    files=$(tar -tf "$dir/files.tar" 2>/dev/null | grep -vc '/$' || true)
    expected_files=$(grep -o '"files":[0-9]*' "$dir/manifest.json" | cut -d: -f2)
    [ "$files" = "$expected_files" ] || { passed=false; problems+=("files.tar: $files files readable, the backup holds $expected_files"); }
  fi
  local listed="" problem
  for problem in "${problems[@]}"; do listed+="${listed:+,}$(json_string "$problem")"; done
  printf '{"backup":"%s","testedAt":"%s","passed":%s,"databases":[%s],"problems":[%s]}\n' "$(basename "$dir")" "$(now)" "$passed" \
    "$(IFS=,; echo "${entries[*]}")" "$listed" | publish "$root" "$(date -u +%Y%m%dT%H%M%SZ).restore-test.json"
  if [ "$passed" = true ]; then
    echo "Restore test of $(basename "$dir") passed: every database restored with the tables and rows it was backed up with" >&2
  else
    printf '%s\n' "Restore test of $(basename "$dir") FAILED:" "${problems[@]}" >&2
    return 1
  fi
}

case "${1:-}" in
  backup) [ $# -eq 2 ] || fail "usage: $0 backup <folder>"; backup "$2" ;;
  restore-test) [ $# -ge 2 ] || fail "usage: $0 restore-test <folder> [backup]"; restore_test "$2" "${3:-}" ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
