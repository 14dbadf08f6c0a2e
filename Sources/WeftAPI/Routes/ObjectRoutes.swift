import Hummingbird
import WeftCore
import WeftEngine
import WeftModules
import WeftSearch

/// `/v1/objects`: create, list, read, replace, merge, delete, validate. The class-less
/// `/v1/objects/{id}` forms are Weaviate's deprecated paths and search every collection.
struct ObjectRoutes {
    let database: Database
    let bodyLimit: Int
    var modules: ModuleRegistry = .none

    /// One object through the write pipeline (module step included) on the point lane, at the
    /// request's `consistency_level` (a replicated collection's acknowledgements).
    private func writeOne(_ input: ObjectInput, kind: ObjectWrite.Kind, request: Request) async throws -> ObjectView {
        var pipeline = WritePipeline(database: database, modules: modules)
        pipeline.consistency = try ConsistencyLevel(parameter: request.uri.queryParameters.get("consistency_level")) ?? .quorum
        return try await pipeline.write([ObjectWrite(input, kind: kind)], lane: .point)[0].get()
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/objects") { request, _ in
            let input = try ObjectJSON.input(try await JSONResponses.body(request, limit: bodyLimit))
            let view = try await writeOne(input, kind: .create, request: request)
            return JSONResponses.json(ObjectJSON.render(view, includeVector: true))
        }
        router.get("/v1/objects") { request, _ in try await list(request) }
        router.post("/v1/objects/validate") { request, _ in
            let input = try ObjectJSON.input(try await JSONResponses.body(request, limit: bodyLimit))
            try await database.executor.run(.point) { () throws(WeftError) in try database.validateObject(input) }
            return Response(status: .ok)
        }

        router.get("/v1/objects/:className/:id") { request, context in
            try await get(request, className: try context.parameters.require("className"), id: try id(context))
        }
        router.get("/v1/objects/:className") { request, context in try await get(request, className: nil, id: try legacyID(context)) }

        router.head("/v1/objects/:className/:id") { request, context in
            try await head(request, className: try context.parameters.require("className"), id: try id(context))
        }
        router.head("/v1/objects/:className") { request, context in try await head(request, className: nil, id: try legacyID(context)) }

        router.put("/v1/objects/:className/:id") { request, context in
            try await write(request, className: try context.parameters.require("className"), id: try id(context), kind: .replace)
        }
        router.patch("/v1/objects/:className/:id") { request, context in
            try await write(request, className: try context.parameters.require("className"), id: try id(context), kind: .merge)
        }

        router.delete("/v1/objects/:className/:id") { request, context in
            try await delete(request, className: try context.parameters.require("className"), id: try id(context))
        }
        router.delete("/v1/objects/:className") { request, context in try await delete(request, className: nil, id: try legacyID(context)) }
    }

    /// The deprecated `/v1/objects/{id}`: the router shares the segment name with `{className}`.
    private func legacyID(_ context: BasicRequestContext) throws -> ObjectID {
        try parseID(try context.parameters.require("className"))
    }

    private func id(_ context: BasicRequestContext) throws -> ObjectID {
        try parseID(try context.parameters.require("id"))
    }

    private func parseID(_ text: String) throws -> ObjectID {
        guard let id = ObjectID(text) else { throw WeftError.invalidInput("id '\(text)' in path must be a UUID") }
        return id
    }

    private func includesVector(_ request: Request) -> Bool {
        (request.uri.queryParameters.get("include") ?? "").split(separator: ",").contains { $0.trimmingSpaces() == "vector" }
    }

    private func get(_ request: Request, className: String?, id: ObjectID) async throws -> Response {
        let includeVector = includesVector(request)
        let tenant = request.uri.queryParameters.get("tenant")
        let found: ObjectView?
        if let (cluster, collection, consistency) = try replicatedRead(request, className: className) {
            found = try await ClusterObjects.readConsistent(collection, id: id, tenant: tenant, includeVector: includeVector, consistency: consistency,
                                                            database: database, cluster: cluster).view
        } else if let (cluster, collection, nodes) = ClusterObjects.owner(className: className, id: id, tenant: tenant, database: database) {
            found = try await ClusterObjects(cluster: cluster).get(collection, id: id, nodes: nodes, includeVector: includeVector, tenant: tenant)
        } else {
            found = try await database.executor.run(.point) { () throws(WeftError) in
                try database.getObject(className: className, id: id, includeVector: includeVector, tenant: tenant)
            }
        }
        guard let view = found else {
            throw WeftError.notFound("no object with id '\(id)'")
        }
        return JSONResponses.json(ObjectJSON.render(view, includeVector: includeVector))
    }

    private func head(_ request: Request, className: String?, id: ObjectID) async throws -> Response {
        let tenant = request.uri.queryParameters.get("tenant")
        if let (cluster, collection, consistency) = try replicatedRead(request, className: className) {
            let found = try await ClusterObjects.readConsistent(collection, id: id, tenant: tenant, includeVector: false, consistency: consistency,
                                                                database: database, cluster: cluster).view
            return Response(status: found != nil ? .noContent : .notFound)
        }
        if let (cluster, collection, nodes) = ClusterObjects.owner(className: className, id: id, tenant: tenant, database: database) {
            let found = try await ClusterObjects(cluster: cluster).get(collection, id: id, nodes: nodes, includeVector: false, tenant: tenant)
            return Response(status: found != nil ? .noContent : .notFound)
        }
        let exists = try await database.executor.run(.point) { () throws(WeftError) in try database.objectExists(className: className, id: id, tenant: tenant) }
        return Response(status: exists ? .noContent : .notFound)
    }

    /// A read by id of a replicated collection in a cluster at a level above ONE (QUORUM when
    /// the request names none, as Weaviate); nil for every other read (ONE reads one replica).
    private func replicatedRead(_ request: Request, className: String?) throws -> (ClusterNode, Collection, ConsistencyLevel)? {
        guard let cluster = database.cluster, let className, let collection = database.collection(named: className),
              collection.isReplicated, !collection.replicaNodes(for: .random(), tenant: request.uri.queryParameters.get("tenant")).isEmpty else { return nil }
        let consistency = try ConsistencyLevel(parameter: request.uri.queryParameters.get("consistency_level")) ?? .quorum
        return consistency == .one ? nil : (cluster, collection, consistency)
    }

    private func delete(_ request: Request, className: String?, id: ObjectID) async throws -> Response {
        let tenant = request.uri.queryParameters.get("tenant")
        let deleted: Bool
        if let cluster = database.cluster, let className, let collection = database.collection(named: className), collection.isReplicated {
            let consistency = try ConsistencyLevel(parameter: request.uri.queryParameters.get("consistency_level")) ?? .quorum
            deleted = try await ClusterObjects.deleteEverywhere(collection, id: id, tenant: tenant, consistency: consistency, database: database, cluster: cluster)
        } else if let (cluster, collection, nodes) = ClusterObjects.owner(className: className, id: id, tenant: tenant, database: database) {
            deleted = try await ClusterObjects(cluster: cluster).delete(collection, id: id, node: nodes[0], tenant: tenant)
        } else {
            deleted = try await database.executor.run(.point) { () throws(WeftError) in try database.deleteObject(className: className, id: id, tenant: tenant) }
        }
        guard deleted else { throw WeftError.notFound("no object with id '\(id)'") }
        return Response(status: .noContent)
    }

    private func write(_ request: Request, className: String, id: ObjectID, kind: ObjectWrite.Kind) async throws -> Response {
        var input = try ObjectJSON.input(try await JSONResponses.body(request, limit: bodyLimit))
        if let bodyClass = input.className, NameRules.capitalized(bodyClass) != NameRules.capitalized(className) {
            throw WeftError.invalidInput("invalid update: class '\(bodyClass)' in the body does not match '\(className)' in the path")
        }
        if let bodyID = input.id, bodyID != id {
            throw WeftError.invalidInput("invalid update: id '\(bodyID)' in the body does not match '\(id)' in the path")
        }
        input.className = className
        input.id = id
        let view = try await writeOne(input, kind: kind, request: request)
        if kind == .merge { return Response(status: .noContent) }
        return JSONResponses.json(ObjectJSON.render(view, includeVector: true))
    }

    private func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        func integer(_ name: String) throws -> Int? {
            guard let text = query.get(name) else { return nil }
            guard let value = Int(text), value >= 0 else { throw WeftError.invalidInput("\(name) must be a non-negative integer, got '\(text)'") }
            return value
        }
        var listRequest = ListRequest(limit: try integer("limit") ?? database.configuration.queryDefaultsLimit)
        listRequest.className = query.get("class")
        listRequest.offset = try integer("offset") ?? 0
        if let after = query.get("after") {
            guard let id = ObjectID(after) else { throw WeftError.invalidInput("after must be a UUID, got '\(after)'") }
            listRequest.after = id
        }
        listRequest.includeVector = includesVector(request)
        listRequest.tenant = query.get("tenant")
        if let sort = query.get("sort") {
            let paths = sort.split(separator: ",").map { $0.trimmingSpaces() }
            let orders = (query.get("order") ?? "").split(separator: ",").map { $0.trimmingSpaces() }
            for (index, path) in paths.enumerated() {
                let order = index < orders.count ? orders[index] : "asc"
                guard order == "asc" || order == "desc" else { throw WeftError.invalidInput("order must be 'asc' or 'desc', got '\(order)'") }
                listRequest.sort.append(SortKey(path: path, ascending: order == "asc"))
            }
        }
        let page = listRequest
        if database.cluster != nil {
            // A collection spread over the cluster's nodes is listed across them.
            if let className = page.className, ClusterSearch.isSpread(className, database: database) {
                let search = database.listPageRequest(page, collection: try database.requireCollection(className))
                let views = try await ClusterSearch.run(search, database: database).results.map(\.view)
                return JSONResponses.json([
                    "objects": .array(views.map { ObjectJSON.render($0, includeVector: page.includeVector) }), "totalResults": .int(Int64(views.count)),
                ])
            }
            // Every collection, each searched where it lives (across the nodes when spread).
            if page.className == nil, database.collections.contains(where: \.isSpread) {
                let pages = try database.listingPages(page)
                var results: [[SearchResult]] = []
                var found = 0
                for search in pages where page.sort.isEmpty ? found < page.offset + page.limit : true {
                    results.append(try await ClusterSearch.run(search, database: database).results)
                    found += results.last!.count
                }
                let views = try database.listing(page, pages: results)
                return JSONResponses.json([
                    "objects": .array(views.map { ObjectJSON.render($0, includeVector: page.includeVector) }), "totalResults": .int(Int64(views.count)),
                ])
            }
        }
        return JSONResponses.json(try await database.executor.run(.query) { () throws(WeftError) -> JSONValue in
            let views = try database.listObjects(page)
            return [
                "objects": .array(views.map { ObjectJSON.render($0, includeVector: page.includeVector) }),
                "totalResults": .int(Int64(views.count)),
            ]
        })
    }
}
