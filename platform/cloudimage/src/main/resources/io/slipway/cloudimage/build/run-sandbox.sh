# The inside of RUN's sandbox: run by /bin/sh as the first process of new mount, PID, IPC, UTS and (unless the RUN
# asked for the host's network) network namespaces, made by unshare (RunCommand). It builds a root that holds only the
# host's programs and libraries (read-only), a curated /etc (read-only), a few devices, a fresh /proc and /tmp, the
# image's root filesystem at /rootfs (read-write, the working directory) and the build context at /context (read-only).
# Nothing else of the host is visible: no data directory, no keys, no other process. Then it drops to the unprivileged
# user (when started as root) with no capabilities and no way to gain any, sets rlimits, and runs the command with only
# the environment it is given. When the command ends, the kernel kills whatever it left behind in the PID namespace.
#
# Arguments: NEWROOT ROOTFS CONTEXT NETWORK(none|host) USER(uid or "-") NPROC DATA_BYTES FSIZE_BYTES TMP_BYTES -- ENV... -- ARGV...
set -eu
root=$1 rootfs=$2 context=$3 network=$4 user=$5 nproc=$6 data=$7 fsize=$8 tmpsize=$9
shift 9
[ "$1" = "--" ] && shift

ro() {
    mount --bind "$1" "$2"
    mount -o remount,bind,ro,nosuid "$2"
}

mount --make-rprivate /
mount -t tmpfs -o mode=0755,nosuid,nodev,size=16m slipway-run "$root"
mkdir "$root/usr" "$root/etc" "$root/dev" "$root/proc" "$root/tmp" "$root/rootfs" "$root/context"
ro /usr "$root/usr"
for d in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$d" ]; then
        ln -s "$(readlink "/$d")" "$root/$d"
    elif [ -d "/$d" ]; then
        mkdir "$root/$d"
        ro "/$d" "$root/$d"
    fi
done
# what programs need from /etc, and nothing that holds a host's configuration or secrets
for f in alternatives ssl ca-certificates passwd group nsswitch.conf hosts resolv.conf host.conf ld.so.cache ld.so.conf \
         ld.so.conf.d localtime mime.types protocols services; do
    if [ -d "/etc/$f" ]; then
        mkdir "$root/etc/$f"
        ro "/etc/$f" "$root/etc/$f"
    elif [ -f "/etc/$f" ]; then
        touch "$root/etc/$f"
        ro "/etc/$f" "$root/etc/$f"
    fi
done
for n in null zero full random urandom; do
    touch "$root/dev/$n"
    mount --bind "/dev/$n" "$root/dev/$n"
done
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mount -t tmpfs -o mode=1777,nosuid,nodev,size="$tmpsize" slipway-tmp "$root/tmp"
mount --bind "$rootfs" "$root/rootfs"
ro "$context" "$root/context"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -o remount,ro,bind "$root"
if [ "$network" = none ]; then
    # a network namespace of its own: only its own loopback, not the host's (where the services listen); without
    # iproute2 the loopback stays down, which takes nothing away but a RUN's talk to itself
    if command -v ip >/dev/null 2>&1; then ip link set lo up; fi
fi

if [ "$user" = "-" ]; then
    as=""
else
    as="--reuid=$user --regid=$user --clear-groups"
fi
# shellcheck disable=SC2086
exec chroot "$root" /usr/bin/setpriv $as --no-new-privs --inh-caps=-all --bounding-set=-all \
    /usr/bin/prlimit --nproc="$nproc" --data="$data" --fsize="$fsize" --core=0 -- \
    /usr/bin/env -i -C /rootfs "$@"
