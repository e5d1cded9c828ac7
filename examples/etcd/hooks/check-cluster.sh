# CMDS on master0, after every host ran its hooks: the cluster must answer with every member healthy. A member that is
# down (a host cut off) is tolerated after 20 s as long as a quorum is healthy: the cluster works, and slipway reports
# that host's own failure.
set -u
CTL="$SLIPWAY_ROOTFS/bin/etcdctl"
EP=$(echo "$SLIPWAY_MASTERS" | tr ',' '\n' | sed 's|.*|http://&:2379|' | paste -sd, -)
total=$(echo "$SLIPWAY_MASTERS" | tr ',' '\n' | grep -c .)
deadline=$(( $(date +%s) + 20 ))
while :; do
  healthy=$("$CTL" --endpoints="$EP" --command-timeout=2s endpoint health 2>&1 | grep -c "is healthy")
  [ "$healthy" -eq "$total" ] && { echo "etcd: $healthy/$total members healthy"; exit 0; }
  if [ "$(date +%s)" -ge $deadline ]; then
    if [ "$healthy" -gt $((total / 2)) ]; then echo "etcd: quorum healthy ($healthy/$total members)"; exit 0; fi
    echo "etcd: only $healthy/$total members healthy:" >&2
    "$CTL" --endpoints="$EP" --command-timeout=2s endpoint health >&2
    exit 1
  fi
  sleep 0.5
done
