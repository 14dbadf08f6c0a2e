"""A real `weft` process (the debug build, or WEFT_BINARY) on free loopback ports with its own
data folder: shared by the Python suites (the v4 client in tests/python, the v3 client in
tests/python_v3)."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, environment=None, host="127.0.0.1", prefix=()):
        """`host`: the address it binds and is reached at; `prefix`: what the command runs under
        (`ip netns exec <namespace>` for a node in its own network namespace)."""
        self.folder = tempfile.mkdtemp(prefix="weft-python-")
        self.environment = environment or {}
        self.host = host
        self.prefix = list(prefix)
        # A port chosen free can be taken before the server binds it: try new ones then.
        for _ in range(5):
            if self._start():
                return
        raise RuntimeError("weft did not start: " + open(os.path.join(self.folder, "weft.log")).read())

    def _start(self, ports=None):
        self.http_port, self.grpc_port = ports or (free_port(), free_port())
        binary = os.environ.get("WEFT_BINARY", os.path.join(ROOT, ".build/debug/weft"))
        environment = dict(os.environ, PERSISTENCE_DATA_PATH=os.path.join(self.folder, "data"), GRPC_PORT=str(self.grpc_port))
        environment.update(self.environment)
        self.log = open(os.path.join(self.folder, "weft.log"), "a")
        self.process = subprocess.Popen(self.prefix + [binary, "--host", self.host, "--port", str(self.http_port)],
                                        env=environment, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                self.log.close()
                return False
            try:
                with urllib.request.urlopen(f"http://{self.host}:{self.http_port}/v1/.well-known/ready", timeout=1) as response:
                    if response.status == 200:
                        return True
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("weft did not become ready: " + open(os.path.join(self.folder, "weft.log")).read())

    def kill(self):
        """SIGKILL: no shutdown work at all, as a crash."""
        self.process.kill()
        self.process.wait(timeout=30)
        self.log.close()

    def restart(self, same_ports=False):
        """A clean shutdown (unless the process is gone already) and a new process on the same
        data folder: on new ports, or with `same_ports` where the old one listened (as a supervisor
        restarts a crashed server), so that clients reconnect to it by themselves."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()
        ports = (self.http_port, self.grpc_port) if same_ports else None
        for _ in range(5):
            if self._start(ports):
                return
            ports = None  # taken meanwhile by another program: new ports
        raise RuntimeError("weft did not restart: " + open(os.path.join(self.folder, "weft.log")).read())

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class Inference:
    """The repo's inference service (inference/server.py: all-MiniLM-L6-v2 in NumPy) on a free
    loopback port, with this interpreter (the test environment has its packages)."""

    def __init__(self, port=None, arguments=()):
        self.folder = tempfile.mkdtemp(prefix="weft-inference-")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.folder, "inference.log"), "a")
        self.process = subprocess.Popen([sys.executable, os.path.join(ROOT, "inference", "server.py"), "--port", str(self.port), *arguments],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the inference service exited: " + open(os.path.join(self.folder, "inference.log")).read())
            try:
                with urllib.request.urlopen(self.url + "/.well-known/ready", timeout=1) as response:
                    if response.status == 204:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the inference service did not become ready")

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.loads(response.read())

    def post(self, path, body):
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    """One server for the test session (both suites' conftest import this fixture)."""
    running = Server()
    yield running
    running.stop()
