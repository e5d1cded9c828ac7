# Starts this host's etcd member, or restarts it when its settings or binary changed (an upgrade), keeping its data.
# slipway:watches etc/ bin/
set -eu
RUN="/run/slipway/etcd-$SLIPWAY_CLUSTER"
CONF="$SLIPWAY_ROOTFS/etc/etcd.env"
BIN="$SLIPWAY_ROOTFS/bin/etcd"
CTL="$SLIPWAY_ROOTFS/bin/etcdctl"
DATA="$SLIPWAY_DATA_ROOT/clusters/$SLIPWAY_CLUSTER/etcd-data"
ME="http://$SLIPWAY_HOST_IP:2379"
mkdir -p "$RUN" "$DATA"

running() { [ -f "$RUN/pid" ] && kill -0 "$(cat "$RUN/pid")" 2>/dev/null; }
listening() { awk '$4=="0A"{split($2,a,":"); if (a[2]=="094B") f=1} END{exit !f}' /proc/net/tcp /proc/net/tcp6 2>/dev/null; }

healthy() { "$CTL" --endpoints="$ME" --command-timeout=2s endpoint health >/dev/null 2>&1; }
await_healthy() {
  i=0
  until healthy; do
    i=$((i+1))
    if [ $i -ge 120 ]; then echo "etcd member $SLIPWAY_HOST_IP is not healthy $1:" >&2; tail -20 "$RUN/etcd.log" >&2; exit 1; fi
    sleep 0.5
  done
}

sum=$(cat "$CONF" "$BIN" | sha256sum | cut -c1-64)

# already running with these settings (a rerun, or a host healed after a cut): done once it is healthy again, so an
# apply that heals a host reports Ready only when that member serves
if running && [ "$(cat "$RUN/sum" 2>/dev/null)" = "$sum" ]; then
  await_healthy "(it runs with these settings)"
  echo "etcd member $SLIPWAY_HOST_IP already runs with these settings and is healthy"
  exit 0
fi

restart=0
if running; then
  restart=1
  pid=$(cat "$RUN/pid")
  echo "settings or binary changed: restarting etcd member $SLIPWAY_HOST_IP (pid $pid)"
  kill "$pid"
  i=0; while kill -0 "$pid" 2>/dev/null; do
    i=$((i+1)); [ $i -lt 300 ] || { kill -9 "$pid" 2>/dev/null || true; break; }; sleep 0.1
  done
fi

state=new
[ -d "$DATA/member" ] && state=existing
(
  set -a; . "$CONF"; set +a
  export ETCD_INITIAL_CLUSTER_STATE=$state
  exec setsid "$BIN"
) > "$RUN/etcd.log" 2>&1 < /dev/null &
echo $! > "$RUN/pid"
echo "$sum" > "$RUN/sum"

# a member of a new cluster cannot be healthy before a quorum of its peers runs: wait only for it to listen;
# a restarted member rejoins running peers, so wait until it is healthy before the next member restarts
i=0
if [ $restart = 1 ]; then
  await_healthy "after its restart"
  echo "etcd member $SLIPWAY_HOST_IP restarted and healthy"
else
  until listening; do
    i=$((i+1))
    if ! running; then echo "etcd exited at start:" >&2; tail -20 "$RUN/etcd.log" >&2; exit 1; fi
    if [ $i -ge 200 ]; then echo "etcd does not listen on :2379 after 20 s:" >&2; tail -20 "$RUN/etcd.log" >&2; exit 1; fi
    sleep 0.1
  done
  echo "etcd member $SLIPWAY_HOST_IP started ($state cluster)"
fi
