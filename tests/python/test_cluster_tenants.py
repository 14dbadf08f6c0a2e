"""Issue 18: multi-tenant collections in a 3-node cluster. Tenants are agreed in etcd and each is
placed on one node; every request naming a tenant goes to that node from whichever node receives
it. The same tenants and objects go into a single node and, through the official client connected
to one node, into the cluster; the same queries per tenant then run against the single node and
against every node of the cluster. Tenant churn and auto-tenant creation race on three nodes.

Not checked here: a tenant's node killed (the fixed-shard fault tests cover the same routing)."""
import random
import threading
import uuid

import pytest
import weaviate
import weaviate.classes as wvc
from weaviate.classes.aggregate import Metrics
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import Filter, MetadataQuery, Sort
from weaviate.classes.tenants import Tenant, TenantActivityStatus
from weaviate.exceptions import WeaviateBaseError

from test_cluster_schema import eventually, rest
from weft_cluster import Etcd, node
from weft_server import Server

SEED = 1818
WORDS = ["apple", "river", "stone", "cloud", "music", "green", "light", "paper", "storm", "glass"]
TENANTS = [f"tenant{index}" for index in range(6)]


def connect(server):
    return weaviate.connect_to_local(port=server.http_port, grpc_port=server.grpc_port)


@pytest.fixture(scope="module")
def systems():
    etcd = Etcd()
    nodes = [node(etcd, f"node{index}") for index in (1, 2, 3)]
    single = Server()
    rng = random.Random(SEED)
    print("seed", SEED)
    objects = {tenant: [wvc.data.DataObject(
        uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
        properties={"text": " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))), "n": index % 7, "score": rng.random()},
        vector=[rng.uniform(-1, 1) for _ in range(8)]) for index in range(120)] for tenant in TENANTS}
    for server, writer in ((single, single), (nodes[0], nodes[1])):
        with connect(server) as client:
            collection = client.collections.create(
                "Shops", vector_config=Configure.Vectors.self_provided(vector_index_config=Configure.VectorIndex.flat()),
                multi_tenancy_config=Configure.multi_tenancy(enabled=True),
                properties=[Property(name="text", data_type=DataType.TEXT), Property(name="n", data_type=DataType.INT),
                            Property(name="score", data_type=DataType.NUMBER)])
            collection.tenants.create([Tenant(name=name) for name in TENANTS])
        # The objects go in through another node than the one that created the tenants.
        with connect(writer) as client:
            for tenant, items in objects.items():
                result = client.collections.get("Shops").with_tenant(tenant).data.insert_many(items)
                assert not result.errors, list(result.errors.values())[:3]
    yield single, nodes, objects
    single.stop()
    for server in nodes:
        server.stop()
    etcd.stop()


def test_tenants_are_placed_over_the_nodes_and_known_to_every_node(systems):
    _, nodes, _ = systems
    placed = {}
    for server in nodes:
        with connect(server) as client:
            assert sorted(client.collections.get("Shops").tenants.get()) == TENANTS
        status, shards = rest(server, "GET", "/v1/schema/Shops/shards")
        assert status == 200 and sorted(shard["name"] for shard in shards) == TENANTS
        assert all(shard["status"] == "READY" for shard in shards), shards
        placed[server] = {shard["name"]: shard["node"] for shard in shards}
    # Every node reports the same placement, two tenants on each node.
    assert all(view == placed[nodes[0]] for view in placed.values())
    assert sorted(list(placed[nodes[0]].values()).count(name) for name in ("node1", "node2", "node3")) == [2, 2, 2]
    # Each node holds the objects of its own tenants only.
    for server in nodes:
        with connect(server) as client:
            listed = client.cluster.nodes(collection="Shops", output="verbose")
        held = {entry.name: sorted(shard.name for shard in entry.shards) for entry in listed}
        for name, shards in held.items():
            assert shards == sorted(tenant for tenant, owner in placed[server].items() if owner == name)


def summary(response):
    return [(str(item.uuid), item.properties.get("text"), round(item.metadata.distance, 5) if item.metadata.distance is not None else None,
             round(item.metadata.score, 5) if item.metadata.score is not None else None) for item in response.objects]


QUERIES = {
    "near_vector": lambda c, v: summary(c.query.near_vector(v, limit=10, return_metadata=MetadataQuery(distance=True))),
    "near_vector_filter": lambda c, v: summary(c.query.near_vector(v, limit=10, filters=Filter.by_property("n").equal(3),
                                                                   return_metadata=MetadataQuery(distance=True))),
    "bm25": lambda c, v: summary(c.query.bm25("apple storm", limit=10, return_metadata=MetadataQuery(score=True))),
    "hybrid": lambda c, v: summary(c.query.hybrid("green glass", vector=v, alpha=0.5, limit=10, return_metadata=MetadataQuery(score=True))),
    "sort": lambda c, v: summary(c.query.fetch_objects(limit=15, sort=Sort.by_property("score", ascending=False))),
    "filter_only": lambda c, v: summary(c.query.fetch_objects(limit=20, filters=Filter.by_property("text").like("*ston*"))),
    "cursor": lambda c, v: [str(item.uuid) for item in c.iterator()],
    "aggregate": lambda c, v: (lambda result: (result.total_count, round(result.properties["score"].mean, 6), result.properties["n"].maximum))(
        c.aggregate.over_all(total_count=True, return_metrics=[Metrics("score").number(mean=True), Metrics("n").integer(maximum=True)])),
    "aggregate_filtered": lambda c, v: c.aggregate.over_all(total_count=True, filters=Filter.by_property("n").less_than(3)).total_count,
}


@pytest.mark.parametrize("kind", sorted(QUERIES))
def test_every_tenant_answers_as_on_one_node_from_every_node(systems, kind):
    single, nodes, _ = systems
    rng = random.Random(hash(kind) & 0xFFFF)
    vector = [rng.uniform(-1, 1) for _ in range(8)]
    for tenant in TENANTS:
        with connect(single) as client:
            expected = QUERIES[kind](client.collections.get("Shops").with_tenant(tenant), vector)
        assert expected, (kind, tenant)
        for server in nodes:
            with connect(server) as client:
                assert QUERIES[kind](client.collections.get("Shops").with_tenant(tenant), vector) == expected, (kind, tenant, server)


def test_objects_of_a_tenant_are_read_written_and_deleted_by_id_through_any_node(systems):
    _, nodes, objects = systems
    tenant = TENANTS[0]
    target = objects[tenant][0]
    for server in nodes:
        with connect(server) as client:
            shop = client.collections.get("Shops").with_tenant(tenant)
            found = shop.query.fetch_object_by_id(target.uuid, include_vector=True)
            assert found is not None and found.properties["text"] == target.properties["text"]
            # Another tenant does not see it.
            assert client.collections.get("Shops").with_tenant(TENANTS[1]).query.fetch_object_by_id(target.uuid) is None
            assert shop.data.exists(target.uuid)
    added = uuid.UUID(int=random.Random(SEED + 1).getrandbits(128), version=4)
    with connect(nodes[2]) as client:
        shop = client.collections.get("Shops").with_tenant(tenant)
        shop.data.insert({"text": "added here", "n": 99, "score": 0.5}, uuid=added, vector=[0.5] * 8)
        shop.data.update(added, properties={"n": 98})
    with connect(nodes[0]) as client:
        shop = client.collections.get("Shops").with_tenant(tenant)
        assert shop.query.fetch_object_by_id(added).properties["n"] == 98
        shop.data.delete_by_id(added)
    with connect(nodes[1]) as client:
        assert not client.collections.get("Shops").with_tenant(tenant).data.exists(added)


def test_batch_delete_by_filter_in_a_tenant_through_any_node(systems):
    single, nodes, _ = systems
    tenant = TENANTS[5]
    outcomes = []
    for server in (single, nodes[2]):
        with connect(server) as client:
            shop = client.collections.get("Shops").with_tenant(tenant)
            result = shop.data.delete_many(where=Filter.by_property("n").equal(6), verbose=True)
            remaining = sorted(str(item.uuid) for item in shop.iterator())
            outcomes.append((result.matches, result.successful, result.failed, remaining))
    assert outcomes[0] == outcomes[1] and outcomes[0][0] > 0


def test_a_tenant_deactivated_on_one_node_is_refused_everywhere_and_comes_back_whole(systems):
    _, nodes, objects = systems
    tenant = TENANTS[3]
    with connect(nodes[2]) as client:
        client.collections.get("Shops").tenants.update(Tenant(name=tenant, activity_status=TenantActivityStatus.INACTIVE))
    for server in nodes:
        eventually(lambda: rest(server, "GET", f"/v1/schema/Shops/tenants/{tenant}")[1]["activityStatus"] == "INACTIVE")
        with connect(server) as client:
            with pytest.raises(WeaviateBaseError, match="not active"):
                client.collections.get("Shops").with_tenant(tenant).query.fetch_objects(limit=1)
    # The node holding it closed its shard: it is no longer listed.
    status, shards = rest(nodes[0], "GET", "/v1/schema/Shops/shards")
    assert tenant not in [shard["name"] for shard in shards]
    with connect(nodes[0]) as client:
        client.collections.get("Shops").tenants.update(Tenant(name=tenant, activity_status=TenantActivityStatus.ACTIVE))
    with connect(nodes[1]) as client:
        listed = sorted(str(item.uuid) for item in client.collections.get("Shops").with_tenant(tenant).iterator())
    assert listed == sorted(str(item.uuid) for item in objects[tenant])


def test_tenants_added_and_removed_on_three_nodes_at_once_agree_everywhere(systems):
    """Tenant churn: three clients, one per node, create and delete overlapping tenants for a
    while; afterwards every node lists the same tenants, and every listed tenant is usable."""
    _, nodes, _ = systems
    with connect(nodes[0]) as client:
        client.collections.create("Churn", vector_config=Configure.Vectors.self_provided(),
                                  multi_tenancy_config=Configure.multi_tenancy(enabled=True),
                                  properties=[Property(name="n", data_type=DataType.INT)])
    errors = []

    def churn(server, seed):
        rng = random.Random(seed)
        try:
            with connect(server) as client:
                churned = client.collections.get("Churn")
                for _ in range(40):
                    names = [f"t{rng.randrange(30)}" for _ in range(rng.randint(1, 4))]
                    if rng.random() < 0.6:
                        churned.tenants.create([Tenant(name=name) for name in names])
                    else:
                        churned.tenants.remove(names)
        except Exception as error:  # reported below: a churn call must not fail
            errors.append(repr(error))

    threads = [threading.Thread(target=churn, args=(server, SEED + index)) for index, server in enumerate(nodes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    views = []
    for server in nodes:
        eventually(lambda: rest(server, "GET", "/v1/cluster/statistics")[1]["synchronized"])
        views.append(sorted(tenant["name"] for tenant in rest(server, "GET", "/v1/schema/Churn/tenants")[1]))
    assert views[0] == views[1] == views[2], views
    # Every tenant left can be written to and read from any node.
    with connect(nodes[1]) as client:
        churned = client.collections.get("Churn")
        for name in views[0]:
            churned.with_tenant(name).data.insert({"n": 1}, vector=[1.0, 0.0])
    with connect(nodes[2]) as client:
        churned = client.collections.get("Churn")
        assert all(churned.with_tenant(name).aggregate.over_all(total_count=True).total_count == 1 for name in views[0])
        client.collections.delete("Churn")
    for server in nodes:
        eventually(lambda: rest(server, "GET", "/v1/schema/Churn")[0] == 404)


def test_auto_tenant_creation_from_several_nodes_at_once(systems):
    _, nodes, _ = systems
    with connect(nodes[0]) as client:
        client.collections.create("AutoShops", vector_config=Configure.Vectors.self_provided(),
                                  multi_tenancy_config=Configure.multi_tenancy(enabled=True, auto_tenant_creation=True, auto_tenant_activation=True),
                                  properties=[Property(name="n", data_type=DataType.INT)])
    errors = []

    def write(server, offset):
        try:
            with connect(server) as client:
                shops = client.collections.get("AutoShops")
                for round_ in range(5):
                    for name in ("north", "south", "east"):
                        item = wvc.data.DataObject(properties={"n": offset * 100 + round_}, vector=[1.0, float(offset)],
                                                   uuid=uuid.UUID(int=offset * 1000 + round_ * 10 + len(name)))
                        result = shops.with_tenant(name).data.insert_many([item])
                        if result.errors:
                            errors.append(str(list(result.errors.values())[0]))
        except Exception as error:
            errors.append(repr(error))

    threads = [threading.Thread(target=write, args=(server, index + 1)) for index, server in enumerate(nodes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    for server in nodes:
        with connect(server) as client:
            shops = client.collections.get("AutoShops")
            assert sorted(shops.tenants.get()) == ["east", "north", "south"]
            assert all(shops.with_tenant(name).aggregate.over_all(total_count=True).total_count == 15 for name in ("north", "south", "east"))
    # Auto-activation: a write to an inactive tenant through another node activates it first.
    with connect(nodes[1]) as client:
        client.collections.get("AutoShops").tenants.update(Tenant(name="north", activity_status=TenantActivityStatus.INACTIVE))
    with connect(nodes[2]) as client:
        shops = client.collections.get("AutoShops")
        result = shops.with_tenant("north").data.insert_many([wvc.data.DataObject(properties={"n": 7}, vector=[0.0, 1.0])])
        assert not result.errors
        assert shops.with_tenant("north").aggregate.over_all(total_count=True).total_count == 16


def test_a_tenant_deleted_on_one_node_is_gone_with_its_data_everywhere(systems):
    _, nodes, _ = systems
    tenant = TENANTS[4]
    with connect(nodes[1]) as client:
        client.collections.get("Shops").tenants.remove([tenant])
    for server in nodes:
        eventually(lambda: rest(server, "HEAD", f"/v1/schema/Shops/tenants/{tenant}")[0] == 404)
        with connect(server) as client:
            listed = client.cluster.nodes(collection="Shops", output="verbose")
            assert tenant not in [shard.name for entry in listed for shard in entry.shards]
    # Made again, it is empty.
    with connect(nodes[2]) as client:
        shops = client.collections.get("Shops")
        shops.tenants.create([Tenant(name=tenant)])
        assert shops.with_tenant(tenant).aggregate.over_all(total_count=True).total_count == 0


def test_graphql_and_rest_listing_of_a_tenant_answer_as_on_one_node(systems):
    single, nodes, _ = systems
    tenant = TENANTS[2]
    query = {"query": '{ Get { Shops(tenant: "%s", limit: 12, bm25: {query: "river"}) { text _additional { id score } } } }' % tenant}
    listing = f"/v1/objects?class=Shops&tenant={tenant}&limit=25"
    expected_graphql = rest(single, "POST", "/v1/graphql", query)[1]
    expected_listing = [item["id"] for item in rest(single, "GET", listing)[1]["objects"]]
    assert expected_graphql["data"]["Get"]["Shops"] and len(expected_listing) == 25
    for server in nodes:
        assert rest(server, "POST", "/v1/graphql", query)[1] == expected_graphql
        assert [item["id"] for item in rest(server, "GET", listing)[1]["objects"]] == expected_listing
