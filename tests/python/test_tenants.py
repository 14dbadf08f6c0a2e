"""Multi-tenancy through the official client: tenants create / get / update / remove, with_tenant
reads and writes, isolation between tenants, inactive tenants refusing requests."""
import uuid

import pytest
import weaviate.classes as wvc
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import Filter
from weaviate.classes.tenants import Tenant, TenantActivityStatus
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateQueryError


@pytest.fixture
def tenanted(client, name):
    collection = client.collections.create(name, multi_tenancy_config=Configure.multi_tenancy(enabled=True),
                                           properties=[Property(name="n", data_type=DataType.INT)], vector_config=Configure.Vectors.self_provided())
    yield collection
    client.collections.delete(name)


def test_tenants_create_get_update_remove(tenanted):
    tenanted.tenants.create([Tenant(name="alpha"), Tenant(name="beta"), Tenant(name="gamma", activity_status=TenantActivityStatus.INACTIVE)])
    tenants = tenanted.tenants.get()
    assert set(tenants.keys()) == {"alpha", "beta", "gamma"}
    assert tenants["alpha"].activity_status == TenantActivityStatus.ACTIVE
    assert tenants["gamma"].activity_status == TenantActivityStatus.INACTIVE
    assert tenanted.tenants.exists("beta") and not tenanted.tenants.exists("delta")
    assert tenanted.tenants.get_by_name("beta").name == "beta"
    tenanted.tenants.update(Tenant(name="gamma", activity_status=TenantActivityStatus.ACTIVE))
    assert tenanted.tenants.get()["gamma"].activity_status == TenantActivityStatus.ACTIVE
    tenanted.tenants.remove(["beta"])
    assert set(tenanted.tenants.get().keys()) == {"alpha", "gamma"}


def test_with_tenant_isolation_and_inactive_tenants(tenanted):
    tenanted.tenants.create([Tenant(name="a"), Tenant(name="b")])
    a, b = tenanted.with_tenant("a"), tenanted.with_tenant("b")
    a.data.insert_many([wvc.data.DataObject(properties={"n": i}, vector=[float(i), 1.0], uuid=uuid.UUID(int=i + 1)) for i in range(10)])
    b.data.insert_many([wvc.data.DataObject(properties={"n": 100 + i}, vector=[float(i), 1.0]) for i in range(5)])
    assert sorted(o.properties["n"] for o in a.query.fetch_objects(limit=100).objects) == list(range(10))
    assert sorted(o.properties["n"] for o in b.query.fetch_objects(limit=100).objects) == [100, 101, 102, 103, 104]
    assert [o.properties["n"] for o in b.query.near_vector([2.0, 1.0], limit=1).objects] == [102]
    assert b.query.fetch_object_by_id(uuid.UUID(int=3)) is None
    assert a.query.fetch_object_by_id(uuid.UUID(int=3)).properties["n"] == 2
    assert a.aggregate.over_all(total_count=True).total_count == 10
    assert b.data.delete_many(where=Filter.by_property("n").greater_than(-1)).successful == 5
    assert a.aggregate.over_all(total_count=True).total_count == 10
    with pytest.raises(WeaviateQueryError):
        tenanted.query.fetch_objects()  # no tenant
    tenanted.tenants.update(Tenant(name="a", activity_status=TenantActivityStatus.INACTIVE))
    with pytest.raises(WeaviateQueryError) as error:
        a.query.fetch_objects()
    assert "not active" in str(error.value)
    tenanted.tenants.update(Tenant(name="a", activity_status=TenantActivityStatus.ACTIVE))
    assert a.aggregate.over_all(total_count=True).total_count == 10
    assert [o.properties["n"] for o in a.query.near_vector([7.0, 1.0], limit=1).objects] == [7]


def test_auto_tenant_creation(client, name):
    collection = client.collections.create(name, multi_tenancy_config=Configure.multi_tenancy(enabled=True, auto_tenant_creation=True),
                                           properties=[Property(name="n", data_type=DataType.INT)])
    with client.batch.dynamic() as batch:
        for i in range(20):
            batch.add_object(collection=name, properties={"n": i}, tenant=f"t{i % 2}")
    assert client.batch.failed_objects == []
    assert set(collection.tenants.get().keys()) == {"t0", "t1"}
    assert collection.with_tenant("t1").aggregate.over_all(total_count=True).total_count == 10
    client.collections.delete(name)
