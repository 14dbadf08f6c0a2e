#!/usr/bin/env python3
"""Writes docs/openapi.json: the OpenAPI 3.0 description of the REST API Weft serves (the subset of
Weaviate's REST API it implements, with Weaviate's paths, parameters and error shape). The fuzz
test (tests/reliability/test_openapi_fuzz.py) runs schemathesis against a live server with it.

    python3 scripts/openapi.py        # after changing a route
"""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ERROR = {"$ref": "#/components/schemas/ErrorResponse"}
ANY_OBJECT = {"type": "object"}


def json_body(schema, required=True):
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def ok(schema=None, status="200", description="success"):
    response = {"description": description}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return {status: response}


def errors(*statuses, empty=()):
    """Error responses in Weaviate's shape; `empty` ones carry no body (as Weaviate's 404s)."""
    result = {}
    for status in statuses:
        result[str(status)] = {"description": "error", "content": {"application/json": {"schema": ERROR}}}
    for status in empty:
        result[str(status)] = {"description": "not found (no body)"}
    return result


def operation(operation_id, responses, parameters=(), body=None, summary=None):
    result = {"operationId": operation_id, "responses": responses}
    if summary:
        result["summary"] = summary
    if parameters:
        result["parameters"] = list(parameters)
    if body:
        result["requestBody"] = body
    return result


def path_parameter(name):
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def query(name, schema=None):
    return {"name": name, "in": "query", "required": False, "schema": schema or {"type": "string"}}


CLASS = path_parameter("className")
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
TENANT = query("tenant")
CONSISTENCY = query("consistency_level", {"type": "string", "enum": ["ONE", "QUORUM", "ALL"]})
REFERENCE_PROPERTY = path_parameter("propertyName")

schemas = {
    "ErrorResponse": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "array", "items": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}}},
    },
    "Property": {
        "type": "object", "required": ["name", "dataType"],
        "properties": {
            "name": {"type": "string"}, "dataType": {"type": "array", "items": {"type": "string"}},
            "description": {"type": "string"}, "tokenization": {"type": "string"},
            "indexFilterable": {"type": "boolean"}, "indexSearchable": {"type": "boolean"}, "indexRangeFilters": {"type": "boolean"},
            "nestedProperties": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Class": {
        "type": "object", "required": ["class"],
        "properties": {
            "class": {"type": "string"}, "description": {"type": "string"}, "vectorizer": {"type": "string"},
            "properties": {"type": "array", "items": {"$ref": "#/components/schemas/Property"}},
            "vectorIndexType": {"type": "string"}, "vectorIndexConfig": ANY_OBJECT, "vectorConfig": ANY_OBJECT,
            "invertedIndexConfig": ANY_OBJECT, "shardingConfig": ANY_OBJECT, "multiTenancyConfig": ANY_OBJECT,
            "replicationConfig": ANY_OBJECT, "moduleConfig": ANY_OBJECT,
        },
    },
    "Object": {
        "type": "object",
        "properties": {
            "class": {"type": "string"}, "id": {"type": "string", "format": "uuid"}, "properties": ANY_OBJECT,
            "vector": {"type": "array", "items": {"type": "number"}}, "vectors": ANY_OBJECT, "tenant": {"type": "string"},
            "creationTimeUnix": {"type": "integer"}, "lastUpdateTimeUnix": {"type": "integer"}, "additional": ANY_OBJECT,
        },
    },
    "Tenant": {
        "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string"}, "activityStatus": {"type": "string", "enum": ["ACTIVE", "INACTIVE", "HOT", "COLD"]}},
    },
    "Beacon": {"type": "object", "required": ["beacon"], "properties": {"beacon": {"type": "string"}}},
    "WhereFilter": {
        "type": "object",
        "properties": {
            "operator": {"type": "string"}, "path": {"type": "array", "items": {"type": "string"}},
            "operands": {"type": "array", "items": {"$ref": "#/components/schemas/WhereFilter"}},
            "valueInt": {"type": "integer"}, "valueNumber": {"type": "number"}, "valueBoolean": {"type": "boolean"},
            "valueText": {"type": "string"}, "valueString": {"type": "string"}, "valueDate": {"type": "string"},
        },
    },
    "GraphQLQuery": {
        "type": "object", "required": ["query"],
        "properties": {"query": {"type": "string"}, "operationName": {"type": "string"}, "variables": ANY_OBJECT},
    },
}

RESULT_LIST = {"type": "array", "items": ANY_OBJECT}

paths = {
    "/v1/meta": {"get": operation("getMeta", ok(ANY_OBJECT))},
    "/v1/.well-known/live": {"get": operation("live", ok())},
    "/v1/.well-known/ready": {"get": operation("ready", ok())},
    # OIDC is not configured: 404 tells the client to go on without authentication.
    "/v1/.well-known/openid-configuration": {"get": operation("openidConfiguration", errors(404))},
    "/v1/nodes": {"get": operation("getNodes", {**ok(ANY_OBJECT), **errors(400, 404, 422)}, [query("output", {"type": "string", "enum": ["minimal", "verbose"]})])},
    "/v1/cluster/statistics": {"get": operation("getClusterStatistics", {**ok(ANY_OBJECT), **errors(503)})},
    "/v1/nodes/{className}": {"get": operation("getNodesOfClass", {**ok(ANY_OBJECT), **errors(400, 404, 422)}, [CLASS, query("output", {"type": "string", "enum": ["minimal", "verbose"]}), query("shardName")])},
    "/v1/schema": {
        "get": operation("getSchema", ok(ANY_OBJECT)),
        "post": operation("createClass", {**ok(ANY_OBJECT), **errors(400, 413, 422)}, body=json_body({"$ref": "#/components/schemas/Class"})),
    },
    "/v1/schema/{className}": {
        "get": operation("getClass", {**ok(ANY_OBJECT), **errors(400, 422), **errors(empty=[404])}, [CLASS]),
        "put": operation("updateClass", {**ok(ANY_OBJECT), **errors(400, 404, 413, 422)}, [CLASS], json_body({"$ref": "#/components/schemas/Class"})),
        "delete": operation("deleteClass", {**ok(), **errors(400, 422)}, [CLASS]),
    },
    "/v1/schema/{className}/properties": {
        "post": operation("addProperty", {**ok(ANY_OBJECT), **errors(400, 404, 413, 422)}, [CLASS], json_body({"$ref": "#/components/schemas/Property"})),
    },
    "/v1/aliases": {
        "get": operation("getAliases", {**ok(ANY_OBJECT), **errors(400, 422)}, [query("class")]),
        "post": operation("createAlias", {**ok(ANY_OBJECT), **errors(400, 413, 422)},
                          body=json_body({"type": "object", "required": ["alias", "class"],
                                          "properties": {"alias": {"type": "string"}, "class": {"type": "string"}}})),
    },
    "/v1/aliases/{aliasName}": {
        "get": operation("getAlias", {**ok(ANY_OBJECT), **errors(400, 422), **errors(empty=[404])}, [path_parameter("aliasName")]),
        "put": operation("updateAlias", {**ok(ANY_OBJECT), **errors(400, 413, 422), **errors(empty=[404])}, [path_parameter("aliasName")],
                         json_body({"type": "object", "required": ["class"], "properties": {"class": {"type": "string"}}})),
        "delete": operation("deleteAlias", {**ok(status="204", description="deleted"), **errors(400, 422), **errors(empty=[404])},
                            [path_parameter("aliasName")]),
    },
    "/v1/replication/replicate": {
        "post": operation("replicate", {**ok(ANY_OBJECT), **errors(400, 404, 409, 413, 422)},
                          body=json_body({"type": "object", "required": ["collection", "shard", "sourceNode", "targetNode"],
                                          "properties": {"collection": {"type": "string"}, "shard": {"type": "string"},
                                                         "sourceNode": {"type": "string"}, "targetNode": {"type": "string"},
                                                         "type": {"type": "string", "enum": ["COPY", "MOVE"]}}})),
        "delete": operation("deleteAllReplications", {**ok(status="204", description="deleted"), **errors(400, 409, 422)}),
    },
    "/v1/replication/replicate/list": {
        "get": operation("listReplications", {**ok({"type": "array", "items": ANY_OBJECT}), **errors(400, 422)},
                         [query("collection"), query("shard"), query("targetNode"), query("includeHistory", {"type": "boolean"})]),
    },
    "/v1/replication/replicate/{id}": {
        "get": operation("replicationDetails", {**ok(ANY_OBJECT), **errors(400, 422), **errors(empty=[404])},
                         [path_parameter("id"), query("includeHistory", {"type": "boolean"})]),
        "delete": operation("deleteReplication", {**ok(status="204", description="deleted"), **errors(400, 404, 409, 422)}, [path_parameter("id")]),
    },
    "/v1/replication/replicate/{id}/cancel": {
        "post": operation("cancelReplication", {**ok(status="204", description="cancelled"), **errors(400, 404, 409, 422)}, [path_parameter("id")]),
    },
    "/v1/replication/sharding-state": {
        "get": operation("getShardingState", {**ok(ANY_OBJECT), **errors(400, 422), **errors(empty=[404])},
                         [query("collection"), query("shard")]),
    },
    "/v1/export/{backend}": {
        "post": operation("exportCreate", {**ok(ANY_OBJECT), **errors(400, 409, 413, 422)}, [path_parameter("backend")],
                          json_body({"type": "object", "required": ["id", "file_format"],
                                     "properties": {"id": {"type": "string"}, "file_format": {"type": "string", "enum": ["parquet"]},
                                                    "include": {"type": "array", "items": {"type": "string"}},
                                                    "exclude": {"type": "array", "items": {"type": "string"}}}})),
    },
    "/v1/export/{backend}/{id}": {
        "get": operation("exportStatus", {**ok(ANY_OBJECT), **errors(400, 404, 422)}, [path_parameter("backend"), path_parameter("id")]),
        "delete": operation("exportCancel", {**ok(status="204", description="canceled"), **errors(400, 404, 409, 422)},
                            [path_parameter("backend"), path_parameter("id")]),
    },
    "/v1/schema/{className}/properties/{propertyName}/index/{indexName}": {
        "delete": operation("deletePropertyIndex", {**ok(), **errors(400, 422)},
                            [CLASS, REFERENCE_PROPERTY, {"name": "indexName", "in": "path", "required": True,
                                                         "schema": {"type": "string", "enum": ["filterable", "searchable", "rangeFilters", "rangeable"]}}]),
    },
    "/v1/schema/{className}/shards": {
        "get": operation("getShards", {**ok(RESULT_LIST), **errors(400, 404, 422)}, [CLASS, TENANT]),
    },
    "/v1/schema/{className}/shards/{shardName}": {
        "put": operation("updateShardStatus", {**ok({"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}),
                                               **errors(400, 404, 413, 422, 503)}, [CLASS, path_parameter("shardName")],
                         json_body({"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["READY", "READONLY"]}}})),
    },
    "/v1/schema/{className}/tenants": {
        "get": operation("getTenants", {**ok(RESULT_LIST), **errors(400, 404, 422)}, [CLASS]),
        "post": operation("createTenants", {**ok(RESULT_LIST), **errors(400, 404, 413, 422)}, [CLASS],
                          json_body({"type": "array", "items": {"$ref": "#/components/schemas/Tenant"}})),
        "put": operation("updateTenants", {**ok(RESULT_LIST), **errors(400, 404, 413, 422)}, [CLASS],
                         json_body({"type": "array", "items": {"$ref": "#/components/schemas/Tenant"}})),
        "delete": operation("deleteTenants", {**ok(), **errors(400, 404, 413, 422)}, [CLASS], json_body({"type": "array", "items": {"type": "string"}})),
    },
    "/v1/schema/{className}/tenants/{tenantName}": {
        "get": operation("getTenant", {**ok(ANY_OBJECT), **errors(400, 404, 422)}, [CLASS, path_parameter("tenantName")]),
        "head": operation("tenantExists", {**ok(), **errors(empty=[400, 404, 422])}, [CLASS, path_parameter("tenantName")]),
    },
    "/v1/schema/{className}/properties/{propertyName}/tokenize": {
        "post": operation("tokenizeProperty", {**ok(ANY_OBJECT), **errors(400, 404, 413, 422)}, [CLASS, path_parameter("propertyName")],
                          json_body({"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}})),
    },
    "/v1/tokenize": {
        "post": operation("tokenize", {**ok(ANY_OBJECT), **errors(400, 413, 422)},
                          body=json_body({"type": "object", "required": ["text", "tokenization"],
                                          "properties": {"text": {"type": "string"}, "tokenization": {"type": "string"}}})),
    },
    "/v1/objects": {
        "get": operation("listObjects", {**ok(ANY_OBJECT), **errors(400, 404, 422)},
                         [query("class"), query("limit", {"type": "integer"}), query("offset", {"type": "integer"}), query("after"),
                          query("include"), query("sort"), query("order"), TENANT]),
        "post": operation("createObject", {**ok(ANY_OBJECT), **errors(400, 404, 413, 422, 507)}, [CONSISTENCY], json_body({"$ref": "#/components/schemas/Object"})),
    },
    "/v1/objects/validate": {
        "post": operation("validateObject", {**ok(), **errors(400, 404, 413, 422)}, body=json_body({"$ref": "#/components/schemas/Object"})),
    },
    "/v1/objects/{className}/{id}": {
        "get": operation("getObject", {**ok(ANY_OBJECT), **errors(400, 422), **errors(empty=[404])}, [CLASS, ID, query("include"), TENANT, CONSISTENCY]),
        "head": operation("objectExists", {"204": {"description": "exists"}, **errors(empty=[400, 404, 422])}, [CLASS, ID, TENANT, CONSISTENCY]),
        "put": operation("replaceObject", {**ok(ANY_OBJECT), **errors(400, 404, 413, 422, 507)}, [CLASS, ID, TENANT, CONSISTENCY],
                         json_body({"$ref": "#/components/schemas/Object"})),
        "patch": operation("patchObject", {"204": {"description": "patched"}, **errors(400, 404, 413, 422, 507)}, [CLASS, ID, TENANT, CONSISTENCY],
                           json_body({"$ref": "#/components/schemas/Object"})),
        "delete": operation("deleteObject", {"204": {"description": "deleted"}, **errors(400, 422, 507), **errors(empty=[404])}, [CLASS, ID, TENANT, CONSISTENCY]),
    },
    # Weaviate's deprecated class-less forms: every collection is searched for the id.
    "/v1/objects/{id}": {
        "get": operation("getObjectWithoutClass", {**ok(ANY_OBJECT), **errors(400, 422), **errors(empty=[404])}, [ID, query("include"), TENANT]),
        "head": operation("objectExistsWithoutClass", {"204": {"description": "exists"}, **errors(empty=[400, 404, 422])}, [ID, TENANT]),
        "delete": operation("deleteObjectWithoutClass", {"204": {"description": "deleted"}, **errors(400, 422, 507), **errors(empty=[404])}, [ID, TENANT]),
    },
    "/v1/objects/{className}/{id}/references/{propertyName}": {
        "post": operation("addReference", {**ok(), **errors(400, 404, 413, 422, 507)}, [CLASS, ID, REFERENCE_PROPERTY, TENANT, CONSISTENCY],
                          json_body({"$ref": "#/components/schemas/Beacon"})),
        "put": operation("replaceReferences", {**ok(), **errors(400, 404, 413, 422, 507)}, [CLASS, ID, REFERENCE_PROPERTY, TENANT, CONSISTENCY],
                         json_body({"type": "array", "items": {"$ref": "#/components/schemas/Beacon"}})),
        "delete": operation("deleteReference", {"204": {"description": "deleted"}, **errors(400, 404, 413, 422, 507)},
                            [CLASS, ID, REFERENCE_PROPERTY, TENANT, CONSISTENCY], json_body({"$ref": "#/components/schemas/Beacon"})),
    },
    "/v1/batch/objects": {
        "post": operation("batchObjects", {**ok(RESULT_LIST), **errors(400, 413, 422, 507)}, [CONSISTENCY],
                          json_body({"type": "object", "required": ["objects"], "properties": {"objects": {"type": "array", "items": {"$ref": "#/components/schemas/Object"}}}})),
        "delete": operation("batchDelete", {**ok(ANY_OBJECT), **errors(400, 404, 413, 422, 507)}, [CONSISTENCY, TENANT],
                            json_body({"type": "object", "required": ["match"], "properties": {
                                "match": {"type": "object", "properties": {"class": {"type": "string"}, "where": {"$ref": "#/components/schemas/WhereFilter"}}},
                                "output": {"type": "string", "enum": ["minimal", "verbose"]}, "dryRun": {"type": "boolean"}}})),
    },
    "/v1/batch/references": {
        "post": operation("batchReferences", {**ok(RESULT_LIST), **errors(400, 413, 422, 507)}, [CONSISTENCY],
                          json_body({"type": "array", "items": {"type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"}, "tenant": {"type": "string"}}}})),
    },
    "/v1/graphql": {
        "post": operation("graphql", {**ok(ANY_OBJECT), **errors(400, 413, 422)}, body=json_body({"$ref": "#/components/schemas/GraphQLQuery"})),
    },
    "/v1/graphql/batch": {
        "post": operation("graphqlBatch", {**ok(RESULT_LIST), **errors(400, 413, 422)},
                          body=json_body({"type": "array", "items": {"$ref": "#/components/schemas/GraphQLQuery"}})),
    },
}

# Operations whose engine work runs on the executor may be refused for overload (the admission
# limits) or hit a CORRUPTED shard: 503. The others answer from memory, and GraphQL reports
# refusals in its `errors` (status 200), as Weaviate reports its rate limit.
NEVER_503 = {"getMeta", "live", "ready", "openidConfiguration", "getNodes", "getNodesOfClass", "getSchema", "getClass",
             "getShards", "getTenants", "getTenant", "tenantExists", "getAliases", "getAlias", "graphql", "graphqlBatch"}
for operations in paths.values():
    for entry in operations.values():
        if entry["operationId"] not in NEVER_503:
            entry["responses"].setdefault("503", {"description": "overloaded (an admission limit; retry after Retry-After) or a shard is CORRUPTED",
                                                  "content": {"application/json": {"schema": ERROR}}})

document = {
    "openapi": "3.0.3",
    "info": {"title": "Weft REST API", "version": "1.0",
             "description": "The part of Weaviate's REST API that Weft serves. Errors are {\"error\": [{\"message\": ...}]}."},
    "servers": [{"url": "http://localhost:8080"}],
    "paths": paths,
    "components": {"schemas": schemas},
}

if __name__ == "__main__":
    with open(os.path.join(ROOT, "docs", "openapi.json"), "w") as file:
        json.dump(document, file, indent=2)
        file.write("\n")
