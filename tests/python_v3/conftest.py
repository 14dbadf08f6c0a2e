"""The older official client (weaviate-client 3.26.7: REST and GraphQL only) against a real Weft
server. It cannot share an environment with the v4 client, so it has its own (.venv-v3)."""
import os
import sys

import pytest
import weaviate

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))
from weft_server import server  # noqa: E402,F401  (the session's server fixture)


@pytest.fixture
def client(server):
    return weaviate.Client(f"http://127.0.0.1:{server.http_port}")
