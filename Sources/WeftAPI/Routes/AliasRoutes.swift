import Hummingbird
import WeftCore
import WeftEngine

/// `/v1/aliases`: a collection's second names. Reads answer from memory; changes are schema
/// changes, on the write lane (agreed through etcd on a node of a cluster). Weaviate answers a validation failure with 422, an unknown alias
/// with 404 (empty body), a deletion with 204.
struct AliasRoutes {
    let database: Database
    let bodyLimit: Int

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/aliases") { request, _ in
            let collection: String? = request.uri.queryParameters.get("class")
            return JSONResponses.json(["aliases": .array(database.aliases(of: collection).map(\.rendered))])
        }
        router.post("/v1/aliases") { request, _ in
            let body = try await JSONResponses.body(request, limit: bodyLimit)
            let (alias, collection) = try Self.fields(body, needsAlias: true)
            if let cluster = database.cluster { return JSONResponses.json(try await cluster.createAlias(alias!, for: collection).rendered) }
            return JSONResponses.json(try await database.executor.run(.write) { () throws(WeftError) in
                try database.createAlias(alias!, for: collection).rendered
            })
        }
        router.get("/v1/aliases/:aliasName") { _, context in
            guard let alias = database.alias(try context.parameters.require("aliasName")) else { return JSONResponses.empty(.notFound) }
            return JSONResponses.json(alias.rendered)
        }
        router.put("/v1/aliases/:aliasName") { request, context in
            let name = try context.parameters.require("aliasName")
            let (_, collection) = try Self.fields(try await JSONResponses.body(request, limit: bodyLimit), needsAlias: false)
            guard database.alias(name) != nil else { return JSONResponses.empty(.notFound) }
            if let cluster = database.cluster { return JSONResponses.json(try await cluster.updateAlias(name, to: collection).rendered) }
            return JSONResponses.json(try await database.executor.run(.write) { () throws(WeftError) in
                try database.updateAlias(name, to: collection).rendered
            })
        }
        router.delete("/v1/aliases/:aliasName") { _, context in
            let name = try context.parameters.require("aliasName")
            guard database.alias(name) != nil else { return JSONResponses.empty(.notFound) }
            if let cluster = database.cluster {
                try await cluster.deleteAlias(name)
                return JSONResponses.empty(.noContent)
            }
            try await database.executor.run(.write) { () throws(WeftError) in try database.deleteAlias(name) }
            return JSONResponses.empty(.noContent)
        }
    }

    /// `{"alias": A, "class": C}` (the alias only when creating).
    private static func fields(_ body: JSONValue, needsAlias: Bool) throws(WeftError) -> (alias: String?, collection: String) {
        guard case .object(let members) = body, let collection = members["class"]?.stringValue, !collection.isEmpty else {
            throw .invalidInput("the body must be an object with a non-empty string 'class'")
        }
        let alias = members["alias"]?.stringValue
        if needsAlias, alias?.isEmpty ?? true { throw .invalidInput("the body must have a non-empty string 'alias'") }
        return (alias, collection)
    }
}
