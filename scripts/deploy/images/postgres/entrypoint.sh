#!/bin/sh
set -eu
bin=/usr/lib/postgresql/bin
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
mkdir -p "$PGDATA" /var/run/postgresql
chown postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pw=$(mktemp); printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}" > "$pw"; chown postgres "$pw"
  as_pg "$bin/initdb" -D "$PGDATA" --username="$user" --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256
  rm -f "$pw"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  as_pg "$bin/pg_ctl" -D "$PGDATA" -w -o "-c listen_addresses=''" start
  if [ "$db" != postgres ]; then as_pg "$bin/createdb" --username="$user" "$db"; fi
  as_pg "$bin/pg_ctl" -D "$PGDATA" -w -m fast stop
fi
if [ "$1" = postgres ]; then shift; exec setpriv --reuid=postgres --regid=postgres --init-groups "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' "$@"; fi
exec "$@"
