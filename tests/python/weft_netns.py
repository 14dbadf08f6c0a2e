"""Nodes in network namespaces of their own, for partitions (issue 19). A bridge in the test's
namespace joins one veth pair per node and one for etcd (in a namespace of its own too); the
test talks from the bridge's address. A partition cuts a node from the other nodes and from etcd,
both ways, with blackhole routes (iproute2) in every namespace but the test's, so that the test
still reaches every node and can write through the isolated one. Needs root (CAP_NET_ADMIN) and
`ip`: `available()` says why not."""
import os
import shutil
import subprocess

from weft_cluster import Etcd
from weft_server import Server, free_port

BRIDGE = "weftbr0"
SUBNET = "10.231.0"
CLIENT = f"{SUBNET}.1"
ETCD_HOST = f"{SUBNET}.2"
ETCD_NAMESPACE = "weftnse"


def ip(*arguments, check=True):
    return subprocess.run(["ip", *arguments], check=check, capture_output=True, text=True)


def available():
    """(True, "") when namespaces can be made here, else (False, why)."""
    if shutil.which("ip") is None:
        return False, "iproute2's `ip` is not installed"
    if os.geteuid() != 0:
        return False, "network namespaces need root (CAP_NET_ADMIN)"
    probe = ip("netns", "add", "weftprobe", check=False)
    if probe.returncode != 0:
        return False, "cannot create a network namespace: " + probe.stderr.strip()
    ip("netns", "del", "weftprobe", check=False)
    return True, ""


class Network:
    """`count` namespaces weftns1.. on the bridge, node i at SUBNET.(11 + i)."""

    def __init__(self, count):
        self.count = count
        self.close()  # what a crashed run may have left
        ip("link", "add", BRIDGE, "type", "bridge")
        ip("addr", "add", f"{CLIENT}/24", "dev", BRIDGE)
        ip("link", "set", BRIDGE, "up")
        for index in range(count):
            self._attach(self.namespace(index), f"weftv{index + 1}", self.address(index))
        self._attach(ETCD_NAMESPACE, "weftve", ETCD_HOST)
        self.cuts = set()

    @staticmethod
    def _attach(namespace, outside, address):
        inside = outside + "p"
        ip("netns", "add", namespace)
        ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        ip("link", "set", inside, "netns", namespace)
        ip("-n", namespace, "addr", "add", f"{address}/24", "dev", inside)
        ip("-n", namespace, "link", "set", inside, "up")
        ip("-n", namespace, "link", "set", "lo", "up")
        ip("link", "set", outside, "master", BRIDGE)
        ip("link", "set", outside, "up")

    @staticmethod
    def namespace(index):
        return f"weftns{index + 1}"

    @staticmethod
    def address(index):
        return f"{SUBNET}.{11 + index}"

    def _routes(self, index, action):
        for other in range(self.count):
            if other != index:
                ip("-n", self.namespace(other), "route", action, "blackhole", f"{self.address(index)}/32", check=action == "add")
                ip("-n", self.namespace(index), "route", action, "blackhole", f"{self.address(other)}/32", check=action == "add")
        ip("-n", self.namespace(index), "route", action, "blackhole", f"{ETCD_HOST}/32", check=action == "add")
        ip("-n", ETCD_NAMESPACE, "route", action, "blackhole", f"{self.address(index)}/32", check=action == "add")

    def cut(self, index):
        """Node `index` can no longer reach, or be reached by, the other nodes and etcd."""
        self._routes(index, "add")
        self.cuts.add(index)

    def heal(self, index):
        self._routes(index, "del")
        self.cuts.discard(index)

    def close(self):
        for index in range(getattr(self, "count", 0) or 8):
            ip("netns", "del", self.namespace(index), check=False)
        ip("netns", "del", ETCD_NAMESPACE, check=False)
        ip("link", "del", BRIDGE, check=False)


def etcd():
    """etcd in its own namespace (started after the Network)."""
    return Etcd(host=ETCD_HOST, prefix=["ip", "netns", "exec", ETCD_NAMESPACE])


def node(network, index, etcd, **extra):
    """Node `index` in its namespace, joined through `etcd`."""
    environment = {"CLUSTER_ETCD_ENDPOINTS": etcd.url, "CLUSTER_HOSTNAME": f"node{index + 1}", "CLUSTER_DATA_BIND_PORT": str(free_port()),
                   "CLUSTER_ADVERTISE_ADDR": network.address(index)}
    environment.update(extra)
    return Server(environment, host=network.address(index), prefix=["ip", "netns", "exec", network.namespace(index)])
