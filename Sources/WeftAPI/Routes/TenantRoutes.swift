import Hummingbird
import WeftCore
import WeftEngine

/// `/v1/schema/{class}/tenants`: list, create, change activity status, delete; one tenant by name.
/// Listing answers from memory; changes (opening and closing tenants' shards) run on the write lane,
/// or are agreed through etcd on a node of a cluster (`ClusterNode+Tenants`).
struct TenantRoutes {
    let database: Database
    let bodyLimit: Int

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/schema/:className/tenants") { _, context in
            let tenants = try database.tenants(of: try context.parameters.require("className"))
            return JSONResponses.json(.array(tenants.map(Self.render)))
        }
        router.post("/v1/schema/:className/tenants") { request, context in
            let tenants = try Self.parse(try await JSONResponses.body(request, limit: bodyLimit), defaultStatus: .active)
            let name = try context.parameters.require("className")
            if let cluster = database.cluster {
                try await cluster.addTenants(tenants, to: name)
            } else {
                try await database.executor.run(.write) { () throws(WeftError) in try database.addTenants(tenants, to: name) }
            }
            return JSONResponses.json(.array(tenants.map(Self.render)))
        }
        router.put("/v1/schema/:className/tenants") { request, context in
            let tenants = try Self.parse(try await JSONResponses.body(request, limit: bodyLimit), defaultStatus: nil)
            let name = try context.parameters.require("className")
            if let cluster = database.cluster {
                try await cluster.updateTenants(tenants, in: name)
            } else {
                try await database.executor.run(.write) { () throws(WeftError) in try database.updateTenants(tenants, in: name) }
            }
            return JSONResponses.json(.array(tenants.map(Self.render)))
        }
        router.delete("/v1/schema/:className/tenants") { request, context in
            let body = try await JSONResponses.body(request, limit: bodyLimit)
            guard let names = body.arrayValue?.compactMap(\.stringValue), names.count == body.arrayValue?.count else {
                throw WeftError.invalidInput("tenants: the body must be a list of tenant names")
            }
            let name = try context.parameters.require("className")
            if let cluster = database.cluster {
                try await cluster.deleteTenants(names, from: name)
            } else {
                try await database.executor.run(.write) { () throws(WeftError) in try database.deleteTenants(names, from: name) }
            }
            return Response(status: .ok)
        }
        router.get("/v1/schema/:className/tenants/:tenantName") { _, context in
            guard let tenant = try database.tenant(try context.parameters.require("tenantName"), of: try context.parameters.require("className")) else {
                throw WeftError.notFound("tenant not found")
            }
            return JSONResponses.json(Self.render(tenant))
        }
        router.head("/v1/schema/:className/tenants/:tenantName") { _, context in
            let tenant = try database.tenant(try context.parameters.require("tenantName"), of: try context.parameters.require("className"))
            return Response(status: tenant == nil ? .notFound : .ok)
        }
    }

    static func render(_ tenant: Database.TenantInfo) -> JSONValue {
        ["name": .string(tenant.name), "activityStatus": .string(tenant.status.rawValue)]
    }

    /// `[{"name": "t1", "activityStatus": "HOT"}, ...]`; a missing status is `defaultStatus`
    /// (ACTIVE on create) and required on update.
    static func parse(_ body: JSONValue, defaultStatus: TenantStatus?) throws(WeftError) -> [Database.TenantInfo] {
        guard let items = body.arrayValue else { throw .invalidInput("tenants: the body must be a list of tenants") }
        return try items.map { (item: JSONValue) throws(WeftError) -> Database.TenantInfo in
            guard let name = item["name"]?.stringValue else { throw .invalidInput("tenants: every tenant needs a \"name\"") }
            let status: TenantStatus
            if let text = item["activityStatus"]?.stringValue {
                status = try TenantStatus(weaviateName: text)
            } else if let defaultStatus {
                status = defaultStatus
            } else {
                throw .invalidInput("tenants: tenant \"\(name)\" needs an \"activityStatus\"")
            }
            return Database.TenantInfo(name: name, status: status)
        }
    }
}
