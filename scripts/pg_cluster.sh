#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks, in a directory
# of its own: `pg_cluster.sh start DIR` creates it (initdb, trust auth on
# loopback only, a free port, the socket in DIR) and prints its URI, which is
# also written to DIR/uri; `pg_cluster.sh stop DIR` stops it and removes DIR.
# As root, initdb and pg_ctl run as the `postgres` user (Debian's package
# `postgresql` creates it). PG_CLUSTER_DURABLE=1 keeps fsync on (benchmarks);
# by default the test cluster skips fsync. The role bograph_pw (password
# "right") logs in with a password, for the tests of a wrong one.
set -euo pipefail
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -x "$bindir/initdb" ] || { echo "pg_cluster: no PostgreSQL server found (apt-get install postgresql)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  if [ -d "$dir/data" ]; then bash "$0" stop "$dir"; fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 755 "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  # the password role first: pg_hba.conf takes the first matching line
  hba="$dir/data/pg_hba.conf"
  { echo "host all bograph_pw 127.0.0.1/32 scram-sha-256"; cat "$hba"; } >"$hba.new"
  mv "$hba.new" "$hba"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$hba"
  fsync=off
  [ "${PG_CLUSTER_DURABLE:-0}" = 1 ] && fsync=on
  as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=$fsync" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  uri="postgresql://postgres@127.0.0.1:$port/postgres"
  as_pg "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE bograph_pw LOGIN SUPERUSER PASSWORD 'right'" >/dev/null
  echo "$uri" >"$dir/uri"
  echo "$uri"
  ;;
restart)
  as_pg "$bindir/pg_ctl" -D "$dir/data" -w -t 60 -m fast restart >/dev/null
  ;;
stop)
  if [ -d "$dir/data" ]; then
    as_pg "$bindir/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|restart|stop DIR" >&2
  exit 2
  ;;
esac
