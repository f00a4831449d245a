#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks:
#   pg_cluster.sh start DIR    creates and starts it, prints its URI (also in DIR/uri)
#   pg_cluster.sh restart DIR  restarts it (same port)
#   pg_cluster.sh stop DIR     stops it and removes it and DIR
# The cluster lives in a fresh directory under /tmp (named in DIR/cluster),
# so the `postgres` user can reach it wherever DIR is: initdb, trust
# authentication on loopback only, a free port, its socket in that
# directory. As root, initdb and pg_ctl run as the `postgres` user (Debian's
# package `postgresql` creates it). PG_CLUSTER_DURABLE=1 keeps fsync on
# (benchmarks); by default the test cluster skips fsync. The role bograph_pw
# (password "right") logs in with a password, for the tests of a wrong one.
set -euo pipefail
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|restart|stop DIR" >&2; exit 2; }

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -x "$bindir/initdb" ] || { echo "pg_cluster: no PostgreSQL server found (apt-get install postgresql)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  if [ -f "$dir/cluster" ]; then bash "$0" stop "$dir"; fi
  mkdir -p "$dir"
  cluster=$(mktemp -d /tmp/bograph-pg-XXXXXX)
  echo "$cluster" >"$dir/cluster"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$cluster"
  chmod 755 "$cluster"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg "$bindir/initdb" -D "$cluster/data" -U postgres -A trust -E UTF8 --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  # the password role first: pg_hba.conf takes the first matching line
  hba="$cluster/data/pg_hba.conf"
  as_pg sh -c "{ echo 'host all bograph_pw 127.0.0.1/32 scram-sha-256'; cat '$hba'; } >'$hba.new' && mv '$hba.new' '$hba'"
  fsync=off
  [ "${PG_CLUSTER_DURABLE:-0}" = 1 ] && fsync=on
  as_pg "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
    -o "-p $port -k $cluster -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=$fsync" \
    start >/dev/null || { cat "$cluster/server.log" >&2; exit 1; }
  uri="postgresql://postgres@127.0.0.1:$port/postgres"
  as_pg "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE bograph_pw LOGIN SUPERUSER PASSWORD 'right'" >/dev/null
  echo "$uri" >"$dir/uri"
  echo "$uri"
  ;;
restart)
  cluster=$(cat "$dir/cluster")
  as_pg "$bindir/pg_ctl" -D "$cluster/data" -w -t 60 -m fast restart >/dev/null
  ;;
stop)
  if [ -f "$dir/cluster" ]; then
    cluster=$(cat "$dir/cluster")
    if [ -d "$cluster/data" ]; then
      as_pg "$bindir/pg_ctl" -D "$cluster/data" -w -t 60 -m fast stop >/dev/null || true
    fi
    rm -rf "$cluster"
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|restart|stop DIR" >&2
  exit 2
  ;;
esac
