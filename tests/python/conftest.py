"""Starts one real Weft server per test session and hands tests an official-client connection."""
import os
import sys
import uuid

import pytest
import weaviate

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from weft_server import server  # noqa: E402,F401  (the session's server fixture)


@pytest.fixture
def client(server):
    connection = weaviate.connect_to_local(host="127.0.0.1", port=server.http_port, grpc_port=server.grpc_port)
    yield connection
    connection.close()


@pytest.fixture
def name():
    """A collection name no other test uses."""
    return "Test" + uuid.uuid4().hex[:12]
