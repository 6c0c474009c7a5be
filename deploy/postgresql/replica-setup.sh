#!/bin/sh
# Makes this machine a streaming replica of the Lanterne PostgreSQL primary
# (docs/deploy.md, "PostgreSQL primary and replica"): stops the local cluster, moves its
# data directory aside, copies the primary with pg_basebackup -R (which writes
# standby.signal and primary_conninfo), creates a replication slot on the primary, and
# starts the cluster again as a read-only replica.
#
# Run as root on the replica: Debian 12 with the postgresql package, primary.conf in
# /etc/postgresql/15/main/conf.d/lanterne.conf (with listen_addresses CHANGEd to this
# machine's own address) and the lines of pg_hba.conf appended. On the primary, first:
#   runuser -u postgres -- psql -c "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'CHANGE-ME'"
#
# Usage:
#   PRIMARY_HOST=10.0.2.11 REPLICATION_PASSWORD='CHANGE-ME' sh deploy/postgresql/replica-setup.sh
#
# Settings, from the environment (CHANGE the first two; the others have defaults):
#   PRIMARY_HOST          the primary's address (required)
#   REPLICATION_PASSWORD  the password of REPLICATION_USER (required; stored in
#                         ~postgres/.pgpass, mode 0600, where the replica reads it)
#   PRIMARY_PORT          5432
#   REPLICATION_USER      replicator
#   SLOT                  replica1: the replication slot on the primary, and this
#                         replica's application_name (for synchronous_standby_names)
#   SSLMODE               require (verify-full with certificates of your own CA)
#   PGVERSION / CLUSTER   15 / main
#   PGDATA                /var/lib/postgresql/$PGVERSION/$CLUSTER
#   PG_SERVICE            postgresql@$PGVERSION-$CLUSTER: the systemd unit stopped before
#                         and started after; "none" to stop and start the cluster yourself
#   PG_USER               postgres: the cluster's owner, who runs pg_basebackup
#   PGPASSFILE            ~PG_USER/.pgpass: where the password is kept
set -eu

: "${PRIMARY_HOST:?set PRIMARY_HOST to the address of the primary}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD to the password of the replication role}"
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICATION_USER=${REPLICATION_USER:-replicator}
SLOT=${SLOT:-replica1}
SSLMODE=${SSLMODE:-require}
PGVERSION=${PGVERSION:-15}
CLUSTER=${CLUSTER:-main}
PGDATA=${PGDATA:-/var/lib/postgresql/$PGVERSION/$CLUSTER}
PG_SERVICE=${PG_SERVICE:-postgresql@$PGVERSION-$CLUSTER}
PG_USER=${PG_USER:-postgres}
PGBIN=${PGBIN:-/usr/lib/postgresql/$PGVERSION/bin}

as_owner() {
  if [ "$(id -un)" = "$PG_USER" ]; then "$@"; else (cd / && runuser -u "$PG_USER" -- "$@"); fi
}

[ -x "$PGBIN/pg_basebackup" ] || { echo "replica-setup: no $PGBIN/pg_basebackup" >&2; exit 1; }
case $SLOT in *[!a-z0-9_]*|'') echo "replica-setup: SLOT must be [a-z0-9_]" >&2; exit 1 ;; esac

# 1. the password, where libpq (pg_basebackup now, the WAL receiver later) finds it
pgpass=${PGPASSFILE:-$(getent passwd "$PG_USER" | cut -d: -f6)/.pgpass}
export PGPASSFILE="$pgpass"
touch "$pgpass"
chown "$PG_USER" "$pgpass"
chmod 0600 "$pgpass"
grep -v "^$PRIMARY_HOST:$PRIMARY_PORT:replication:$REPLICATION_USER:" "$pgpass" >"$pgpass.new" || true
printf '%s:%s:replication:%s:%s\n' "$PRIMARY_HOST" "$PRIMARY_PORT" "$REPLICATION_USER" \
  "$(printf '%s' "$REPLICATION_PASSWORD" | sed 's/[\\:]/\\&/g')" >>"$pgpass.new"
chown "$PG_USER" "$pgpass.new"
chmod 0600 "$pgpass.new"
mv "$pgpass.new" "$pgpass"

# 2. can we reach the primary as the replication role? (before touching anything here)
conn="host=$PRIMARY_HOST port=$PRIMARY_PORT user=$REPLICATION_USER sslmode=$SSLMODE application_name=$SLOT"
if ! as_owner "$PGBIN/psql" -X -At -d "$conn dbname=replication replication=true" -c "IDENTIFY_SYSTEM" >/dev/null; then
  echo "replica-setup: cannot connect to the primary for replication (see above): check" >&2
  echo "  PRIMARY_HOST, the replicator role, its password, and pg_hba.conf on the primary" >&2
  exit 1
fi

# 3. stop the local cluster and keep its old data directory aside
if [ "$PG_SERVICE" != none ]; then
  systemctl stop "$PG_SERVICE"
fi
if [ -e "$PGDATA" ]; then
  old=$PGDATA.before-replica-$(date +%Y%m%d-%H%M%S)
  mv "$PGDATA" "$old"
  echo "replica-setup: the old data directory is now $old (remove it once the replica works)"
fi
install -d -o "$PG_USER" -m 0700 "$PGDATA"

# 4. the copy: -R writes standby.signal and primary_conninfo (postgresql.auto.conf);
#    -C -S creates the slot on the primary, so it keeps the WAL this replica still needs
as_owner "$PGBIN/pg_basebackup" -d "$conn" -D "$PGDATA" -R -X stream -C -S "$SLOT" \
  --checkpoint=fast --progress

# 5. start as a replica and check that it streams
if [ "$PG_SERVICE" != none ]; then
  systemctl start "$PG_SERVICE"
  sleep 2
  as_owner "$PGBIN/psql" -X -At -c "SELECT 'in recovery: ' || pg_is_in_recovery()" \
    -c "SELECT 'WAL receiver: ' || coalesce((SELECT status FROM pg_stat_wal_receiver), 'not running')"
else
  echo "replica-setup: copied; start the cluster in $PGDATA now"
fi
