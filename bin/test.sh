#!/usr/bin/env bash
# `./slipway test [maven arguments]`: the README's test command. Installs the Debian packages the tests run for real
# (below), then runs the whole suite with ./mvnw -B verify (extra arguments are passed to Maven, e.g.
# `./slipway test -pl services/build-svc -am`). .ci/run calls it. Needs a JDK >= 21 (bin/jdk.sh); Maven comes from
# ./mvnw. Installing needs root (or password-less sudo); without either it names what is missing and stops.
#
# What the tests need and why:
#   util-linux      unshare/nsenter: the embedded PostgreSQL runs as a non-root user when the build runs as root,
#                   and embedded test hosts live in user + mount namespaces; Kubefile RUN runs in a sandbox made with
#                   unshare, setpriv and prlimit
#   docker-registry the OCI registry the image tests push to and pull from (a real one, started per test class)
#   apache2-utils   htpasswd, for that registry's basic auth
#   skopeo          reads our OCI archives in a test, and is the registry-copy benchmark's baseline
#   git             build contexts from git repositories
#   openssh-server, sudo, iproute2, sshpass
#                   deploy-svc's test hosts: real sshd in network namespaces, a user with sudo, a password login
#   etcd-server, etcd-client
#                   the etcd example CloudImage takes its binaries from them
#   docker-compose  `docker-compose config` renders docker-compose.yml in its test (no container is started)
#   kubernetes-client
#                   `kubectl kustomize` renders deploy/k8s's overlays in their test (no cluster is needed); any
#                   kubectl already on the PATH does
#   chromium, chromium-driver
#                   the web console's browser tests drive a real headless Chromium through /usr/bin/chromedriver
#                   (Selenium from Maven never downloads a browser or a driver)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

missing=()
command -v unshare >/dev/null 2>&1 && command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v git >/dev/null 2>&1 || missing+=(git)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v sudo >/dev/null 2>&1 || missing+=(sudo)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v sshpass >/dev/null 2>&1 || missing+=(sshpass)
[ -x /usr/bin/etcd ] || missing+=(etcd-server)
[ -x /usr/bin/etcdctl ] || missing+=(etcd-client)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "slipway test: the tests need the Debian packages ${missing[*]}; install them as root:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "slipway test: installing ${missing[*]} (what the tests run for real; see bin/test.sh)" >&2
  "${as_root[@]}" apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  # The packages start system services (a registry on :5000, sshd on :22, etcd on :2379); the tests start their
  # own on free ports and in their own namespaces, so the system ones only get in the way.
  if command -v systemctl >/dev/null 2>&1; then
    for unit in docker-registry ssh etcd; do "${as_root[@]}" systemctl stop "$unit" >/dev/null 2>&1 || true; done
  fi
fi

. bin/jdk.sh
slipway_pick_jdk
echo "slipway test: JDK at $JAVA_HOME" >&2
started="$(mktemp)"
trap 'rm -f "$started"' EXIT
rc=0
./mvnw -B verify "$@" || rc=$?
# How many tests this run skipped, and why (surefire keeps the reason a test gave): a skip hides a test that did not
# run, so it is said at the end, not only in its module's summary. Under CI=true the machine-dependent ones fail instead.
mapfile -t reports < <(find . -path '*/target/surefire-reports/TEST-*.xml' -newer "$started" 2>/dev/null)
if [ "${#reports[@]}" -gt 0 ]; then
  skipped=$( (cat "${reports[@]}" | grep -o '<skipped' || true) | wc -l)
  echo "slipway test: ${skipped} test(s) skipped${CI:+ (CI=$CI)}"
  if [ "$skipped" -gt 0 ]; then
    cat "${reports[@]}" | grep -o '<skipped[^>]*' | sed -n 's/.*message="\([^"]*\)".*/\1/p; t; s/.*/(no reason given)/p' \
      | sort | uniq -c | sort -rn | sed 's/^/  /'
  fi
fi
exit "$rc"
