import Hummingbird
import WeftCore
import WeftEngine
import WeftModules

/// `/v1/objects/{class}/{id}/references/{property}` (add, replace, delete) and
/// `POST /v1/batch/references` (per-reference results in request order).
struct ReferenceRoutes {
    let database: Database
    let bodyLimit: Int
    var modules: ModuleRegistry = .none

    /// `ref2vec-centroid` vectors follow their objects' references.
    private func refreshCentroids(_ className: String, _ ids: [(id: ObjectID, tenant: String?)]) async {
        guard modules.refreshesCentroids else { return }
        await ObjectVectorizer(modules: modules, database: database).refreshCentroids(className: className, ids: ids)
    }

    func register(on router: Router<BasicRequestContext>) {
        let path = "/v1/objects/:className/:id/references/:property"
        router.post(RouterPath(path)) { request, context in
            let (className, id, property) = try Self.target(context)
            let body = try await JSONResponses.body(request, limit: bodyLimit)
            let beacon = try Self.beacon(body), tenant = request.uri.queryParameters.get("tenant")
            try await ReferenceChanges.apply([.init(operation: .add, className: className, id: id, property: property, beacons: [beacon], tenant: tenant)],
                                             database: database, lane: .point, consistency: try Self.consistency(request))[0].get()
            await refreshCentroids(className, [(id, tenant)])
            return Response(status: .ok)
        }
        router.put(RouterPath(path)) { request, context in
            let (className, id, property) = try Self.target(context)
            let body = try await JSONResponses.body(request, limit: bodyLimit)
            guard let items = body.arrayValue else { throw WeftError.invalidInput("references: the body must be a list of {\"beacon\": ...}") }
            var beacons: [String] = []
            for item in items { beacons.append(try Self.beacon(item)) }
            let tenant = request.uri.queryParameters.get("tenant"), list = beacons
            try await ReferenceChanges.apply([.init(operation: .replace, className: className, id: id, property: property, beacons: list, tenant: tenant)],
                                             database: database, lane: .point, consistency: try Self.consistency(request))[0].get()
            await refreshCentroids(className, [(id, tenant)])
            return Response(status: .ok)
        }
        router.delete(RouterPath(path)) { request, context in
            let (className, id, property) = try Self.target(context)
            let body = try await JSONResponses.body(request, limit: bodyLimit)
            let beacon = try Self.beacon(body), tenant = request.uri.queryParameters.get("tenant")
            try await ReferenceChanges.apply([.init(operation: .delete, className: className, id: id, property: property, beacons: [beacon], tenant: tenant)],
                                             database: database, lane: .point, consistency: try Self.consistency(request))[0].get()
            await refreshCentroids(className, [(id, tenant)])
            return Response(status: .noContent)
        }
        router.post("/v1/batch/references") { request, _ in
            let body = try await JSONResponses.body(request, limit: bodyLimit)
            guard let items = body.arrayValue else { throw WeftError.invalidInput("batch references: the body must be a list of {from, to}") }
            // Each reference on its own (where its source object lives); failures reported by position.
            let parsed = items.map { item in
                Result { () throws(WeftError) -> ReferenceChanges.Change in
                    guard let from = item["from"]?.stringValue, let to = item["to"]?.stringValue else {
                        throw .invalidInput("a batch reference needs \"from\" (weaviate://localhost/<Class>/<uuid>/<property>) and \"to\"")
                    }
                    let (className, id, property) = try Self.source(from)
                    return .init(operation: .add, className: className, id: id, property: property, beacons: [to], tenant: item["tenant"]?.stringValue)
                }
            }
            let valid = parsed.compactMap { try? $0.get() }
            var applied = await ReferenceChanges.apply(valid, database: database, lane: .write, consistency: try Self.consistency(request))[...]
            let results: [(JSONValue, (String, ObjectID, String?)?)] = zip(items, parsed).map { item, parse in
                let outcome = parse.flatMap { change -> Result<(String, ObjectID, String?), WeftError> in
                    applied.removeFirst().map { (change.className, change.id, change.tenant) }
                }
                var entry = item.objectValue ?? [:]
                switch outcome {
                case .success: entry["result"] = ["status": "SUCCESS"]
                case .failure(let error): entry["result"] = ["status": "FAILED", "errors": ["error": .array([["message": .string(error.message)]])]]
                }
                return (.object(entry), try? outcome.get())
            }
            var changed: [String: [(id: ObjectID, tenant: String?)]] = [:]
            for case (_, let (className, id, tenant)?) in results { changed[className, default: []].append((id, tenant)) }
            for (className, ids) in changed { await refreshCentroids(className, ids) }
            return JSONResponses.json(.array(results.map(\.0)))
        }
    }

    private static func target(_ context: BasicRequestContext) throws -> (String, ObjectID, String) {
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw WeftError.invalidInput("id must be a UUID, got '\(text)'") }
        return (try context.parameters.require("className"), id, try context.parameters.require("property"))
    }

    private static func beacon(_ body: JSONValue) throws(WeftError) -> String {
        guard let beacon = body["beacon"]?.stringValue, Beacon(beacon) != nil else {
            throw .invalidInput("a reference needs a \"beacon\" like weaviate://localhost/<Class>/<uuid>")
        }
        return beacon
    }

    /// `weaviate://localhost/<Class>/<uuid>/<property>`.
    static func source(_ text: String) throws(WeftError) -> (String, ObjectID, String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard text.hasPrefix("weaviate://localhost/"), parts.count == 6, let id = ObjectID(String(parts[4])) else {
            throw .invalidInput("invalid reference source '\(text)': use weaviate://localhost/<Class>/<uuid>/<property>")
        }
        return (String(parts[3]), id, String(parts[5]))
    }

    /// The request's `consistency_level`: how many replicas of a replicated collection's shard
    /// must make each change (QUORUM when it names none).
    static func consistency(_ request: Request) throws -> ConsistencyLevel {
        try ConsistencyLevel(parameter: request.uri.queryParameters.get("consistency_level")) ?? .quorum
    }
}
