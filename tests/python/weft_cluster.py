"""A real etcd and real `weft` nodes joined through it, on loopback (issue 18): what
scripts/cluster.sh starts, for the tests."""
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

from weft_server import Server, free_port


class Etcd:
    def __init__(self, host="127.0.0.1", prefix=()):
        self.host = host
        self.prefix = list(prefix)
        self.folder = tempfile.mkdtemp(prefix="weft-etcd-")
        self.port = free_port()
        self.peer = free_port()
        self.url = f"http://{host}:{self.port}"
        self.start()

    def start(self):
        """Starts etcd (again, on the same ports and data)."""
        url, peer = self.url, self.peer
        self.log = open(os.path.join(self.folder, "etcd.log"), "a")
        self.process = subprocess.Popen(
            self.prefix + ["etcd", "--data-dir", os.path.join(self.folder, "data"), "--name", "weft-test",
             "--listen-client-urls", url, "--advertise-client-urls", url,
             "--listen-peer-urls", f"http://{self.host}:{peer}", "--initial-advertise-peer-urls", f"http://{self.host}:{peer}",
             "--initial-cluster", f"weft-test=http://{self.host}:{peer}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(url + "/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("etcd did not start: " + open(os.path.join(self.folder, "etcd.log")).read())

    def halt(self):
        """Stops etcd, keeping its data."""
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()

    def stop(self):
        if self.process.poll() is None:
            self.halt()
        shutil.rmtree(self.folder, ignore_errors=True)


def node(etcd, name, **extra):
    """A weft node of the cluster etcd holds together."""
    environment = {"CLUSTER_ETCD_ENDPOINTS": etcd.url, "CLUSTER_HOSTNAME": name, "CLUSTER_DATA_BIND_PORT": str(free_port())}
    environment.update(extra)
    return Server(environment)
