# A node checks the etcd cluster through its members: a quorum healthy, and a key written and read back through them.
# Members that do not answer are reported; the check fails when no quorum answers within 30 s.
set -u
CTL="$SLIPWAY_ROOTFS/bin/etcdctl"
EP=$(echo "$SLIPWAY_MASTERS" | tr ',' '\n' | sed 's|.*|http://&:2379|' | paste -sd, -)
total=$(echo "$SLIPWAY_MASTERS" | tr ',' '\n' | grep -c .)
key="slipway/nodes/$SLIPWAY_HOST_IP"
deadline=$(( $(date +%s) + 30 ))
while :; do
  healthy=$("$CTL" --endpoints="$EP" --command-timeout=2s endpoint health 2>&1 | grep -c "is healthy")
  if [ "$healthy" -gt $((total / 2)) ] && "$CTL" --endpoints="$EP" --command-timeout=3s put "$key" joined >/dev/null 2>&1; then
    break
  fi
  if [ "$(date +%s)" -ge $deadline ]; then
    echo "the etcd cluster at $EP has no healthy quorum ($healthy/$total members healthy):" >&2
    "$CTL" --endpoints="$EP" --command-timeout=2s endpoint health >&2
    exit 1
  fi
  sleep 1
done
[ "$("$CTL" --endpoints="$EP" --command-timeout=3s get --print-value-only "$key")" = "joined" ] \
  || { echo "a put/get round trip through $EP failed" >&2; exit 1; }
echo "etcd cluster answers through $EP ($healthy/$total members healthy)"
