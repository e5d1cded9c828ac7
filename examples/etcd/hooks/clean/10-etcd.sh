# Stops this cluster's etcd member and removes its data; succeeds when nothing is there (delete after a failed install).
set -u
RUN="/run/slipway/etcd-$SLIPWAY_CLUSTER"
if [ -f "$RUN/pid" ]; then
  pid=$(cat "$RUN/pid")
  kill "$pid" 2>/dev/null || true
  i=0; while kill -0 "$pid" 2>/dev/null; do
    i=$((i+1)); [ $i -lt 100 ] || { kill -9 "$pid" 2>/dev/null || true; break; }; sleep 0.1
  done
fi
rm -rf "$RUN" "$SLIPWAY_DATA_ROOT/clusters/$SLIPWAY_CLUSTER/etcd-data"
echo "etcd member $SLIPWAY_HOST_IP removed"
