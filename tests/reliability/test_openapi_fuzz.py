"""Bad input, REST (reliability plan R15a): schemathesis generates requests for every operation of
docs/openapi.json (valid and invalid ones: wrong types, missing fields, odd strings) against a live
server and checks that none is answered with a 5xx, that statuses, content types and bodies match
the document, and that the server is still up afterwards. One pass with random class names, one
against an existing collection so generated bodies reach the object and schema code."""
import os
import random
import subprocess
import sys
import urllib.request

import pytest
from weft_server import Server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = os.path.join(ROOT, "docs", "openapi.json")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.fixture(scope="module")
def fuzz_server():
    running = Server()
    body = b'{"class": "Fuzz", "properties": [{"name": "title", "dataType": ["text"]}, {"name": "n", "dataType": ["int"]}]}'
    request = urllib.request.Request(f"http://127.0.0.1:{running.http_port}/v1/schema", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()
    yield running
    running.stop()


def schemathesis(server, seed, config=None):
    command = [os.path.join(os.path.dirname(sys.executable), "st"), *(["--config-file", config] if config else []), "run", SPEC, "--url", f"http://127.0.0.1:{server.http_port}",
               "--checks", CHECKS, "--max-examples", os.environ.get("WEFT_FUZZ_EXAMPLES", "25"), "--seed", str(seed),
               "--workers", "1", "--request-timeout", "30", "--warnings", "off"]
    # cwd: schemathesis keeps an example database in .schemathesis/ of the working directory.
    return subprocess.run(command, capture_output=True, text=True, timeout=1200, cwd=server.folder)


@pytest.mark.parametrize("target", ["random names", "existing collection"])
def test_every_operation_survives_generated_input(fuzz_server, target):
    seed = int(os.environ.get("WEFT_SEED", random.randrange(1 << 30)))
    config = None
    if target == "existing collection":
        # The class name pinned to the real collection (schemathesis config); bodies stay generated.
        config = os.path.join(fuzz_server.folder, "schemathesis.toml")
        with open(config, "w") as file:
            file.write('[parameters]\n"path.className" = "Fuzz"\n')
    result = schemathesis(fuzz_server, seed, config)
    assert fuzz_server.process.poll() is None, f"seed {seed}: the server died:\n{result.stdout[-4000:]}"
    assert result.returncode == 0, f"seed {seed} ({target}):\n{result.stdout[-8000:]}\n{result.stderr[-2000:]}"
    with urllib.request.urlopen(f"http://127.0.0.1:{fuzz_server.http_port}/v1/.well-known/ready") as response:
        assert response.status == 200

