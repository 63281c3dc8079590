#!/usr/bin/env bash
# Two hosts on one machine: network namespaces joined by a veth pair, Open MPI over TCP
# between them (its remote daemon started through `ip netns exec` instead of ssh).
#   netns.sh MPIRUN [--compare A B] -- CMD...   runs CMD on 2 ranks, one per namespace
# Needs root and ip(8); without them it is skipped with the reason, except under CI=true,
# where it fails.
set -u
MPIRUN=$1; shift
cmd=("$@")
unavailable() {
    echo "cannot make network namespaces here: $*"
    if [ "${CI:-}" = true ]; then echo "FAIL: required in CI"; exit 1; fi
    exit 77
}
[ "$(id -u)" -eq 0 ] || unavailable "not root"
command -v ip >/dev/null || unavailable "ip (iproute2) is not installed"
tag="gat$$"
A="${tag}a" B="${tag}b"
net="10.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1))"
agent=$(mktemp /tmp/gat-netns-rsh.XXXXXX)
cleanup() { ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; rm -f "$agent"; }
trap cleanup EXIT
ip netns add "$A" 2>/dev/null || unavailable "ip netns add failed"
ip netns add "$B" || unavailable "ip netns add failed"
ip link add "${tag}x" type veth peer name "${tag}y" || unavailable "no veth"
ip link set "${tag}x" netns "$A" && ip link set "${tag}y" netns "$B" &&
ip -n "$A" addr add "$net.1/24" dev "${tag}x" && ip -n "$B" addr add "$net.2/24" dev "${tag}y" &&
ip -n "$A" link set "${tag}x" up && ip -n "$B" link set "${tag}y" up &&
ip -n "$A" link set lo up && ip -n "$B" link set lo up || unavailable "could not configure the veth pair"
cat > "$agent" <<AGENT
#!/bin/sh
while [ \$# -gt 0 ]; do case "\$1" in -*) shift;; *) break;; esac; done
host=\$1; shift
case \$host in $net.1) ns=$A;; $net.2) ns=$B;; *) echo "netns agent: unknown host \$host" >&2; exit 1;; esac
exec ip netns exec "\$ns" sh -c "\$*"
AGENT
chmod +x "$agent"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
timeout 300 ip netns exec "$A" "$MPIRUN" --mca plm_rsh_agent "$agent" --host "$net.1:1,$net.2:1" -np 2 \
    --mca btl tcp,self --mca btl_tcp_if_include "$net.0/24" --mca oob_tcp_if_include "$net.0/24" "${cmd[@]}"
rc=$?
[ $rc -eq 0 ] || echo "FAIL: mpirun across two network namespaces exited $rc"
exit $rc
