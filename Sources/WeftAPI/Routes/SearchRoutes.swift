import Hummingbird
import WeftCore
import WeftEngine
import WeftInvertedIndex
import WeftModules
import WeftSearch

/// REST endpoints of the query engine: batch delete by filter and the tokenizer previews.
struct SearchRoutes {
    let database: Database
    let bodyLimit: Int
    var modules: ModuleRegistry = .none

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/batch/objects") { request, _ in
            try await batchWrite(try await JSONResponses.body(request, limit: bodyLimit),
                                 consistency: try ConsistencyLevel(parameter: request.uri.queryParameters.get("consistency_level")) ?? .quorum)
        }
        router.delete("/v1/batch/objects") { request, _ in
            try await batchDelete(try await JSONResponses.body(request, limit: bodyLimit), request: request)
        }
        // Tokenizing (and folding) a text is engine work: off the request threads, on the point lane.
        router.post("/v1/tokenize") { request, _ in
            let body = try await JSONResponses.body(request, limit: bodyLimit)
            return JSONResponses.json(try await database.executor.run(.point) { () throws(WeftError) in try TokenizePreview.generic(body).rendered })
        }
        router.post("/v1/schema/:className/properties/:propertyName/tokenize") { request, context in
            let body = try await JSONResponses.body(request, limit: bodyLimit)
            guard let text = body.objectValue?["text"]?.stringValue else { throw WeftError.invalidInput("tokenize: 'text' (a string) is required") }
            let collection = try database.requireCollection(try context.parameters.require("className"))
            let propertyName = try context.parameters.require("propertyName")
            let schema = collection.invertedSchema
            guard let property = schema.property(propertyName), property.kind == .text else {
                throw WeftError.notFound("tokenize: no text property '\(propertyName)' in class \(collection.name)")
            }
            return JSONResponses.json(try await database.executor.run(.point) { TokenizePreview.of(text, property: property, in: schema).rendered })
        }
    }

    /// `{"objects": [object, ...]}` -> one entry per object, in order, each the object as stored
    /// (or as sent, when it failed) with `result.status` SUCCESS or FAILED and its errors. A bad
    /// object fails alone; a body that is not a batch at all is a 422.
    private func batchWrite(_ body: JSONValue, consistency: ConsistencyLevel) async throws -> Response {
        guard let items = body.objectValue?["objects"]?.arrayValue else {
            throw WeftError.invalidInput("batch: the body must be {\"objects\": [...]}")
        }
        // A disk too full fails the request as a whole (507); a bad object fails alone.
        var writer = WritePipeline(database: database, modules: modules)
        writer.consistency = consistency
        let pipeline = writer
        let results = try await database.executor.run(.write) { () throws(WeftError) in
            try BatchInputs.write(items, pipeline: pipeline) { (item: JSONValue) throws(WeftError) -> ObjectInput in try ObjectJSON.input(item) }
        }.result()
        var output: [JSONValue] = []
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let view):
                var entry = ObjectJSON.render(view, includeVector: false).objectValue ?? [:]
                entry["result"] = ["status": "SUCCESS"]
                output.append(.object(entry))
            case .failure(let error):
                var entry = items[index].objectValue ?? [:]
                entry["result"] = ["status": "FAILED", "errors": ["error": .array([["message": .string(error.message)]])]]
                output.append(.object(entry))
            }
        }
        return JSONResponses.json(.array(output))
    }

    /// `{"match": {"class": C, "where": {...}}, "dryRun": bool, "output": "minimal" | "verbose"}`.
    private func batchDelete(_ body: JSONValue, request: Request) async throws -> Response {
        guard let object = body.objectValue, let match = object["match"]?.objectValue else {
            throw WeftError.invalidInput("batch delete: 'match' with 'class' and 'where' is required")
        }
        guard let className = match["class"]?.stringValue, !className.isEmpty else { throw WeftError.invalidInput("batch delete: match.class is required") }
        guard let whereJSON = match["where"] else { throw WeftError.invalidInput("batch delete: match.where is required") }
        let filter = try WhereFilterJSON.parse(whereJSON)
        if let dryRun = object["dryRun"], dryRun.boolValue == nil, !dryRun.isNull { throw WeftError.invalidInput("batch delete: dryRun must be a boolean") }
        let dryRun = object["dryRun"]?.boolValue ?? false
        let output = object["output"]?.stringValue ?? "minimal"
        guard output == "minimal" || output == "verbose" else { throw WeftError.invalidInput("batch delete: output must be 'minimal' or 'verbose'") }
        let tenant = request.uri.queryParameters.get("tenant")
        let name = try database.requireCollection(className).name
        let consistency = try ConsistencyLevel(parameter: request.uri.queryParameters.get("consistency_level")) ?? .quorum
        let result = try await ClusterBatchDelete.run(collection: className, filter: filter, dryRun: dryRun, tenant: tenant, database: database,
                                                      consistency: consistency)
        let listed = output == "verbose" ? result.objects : result.objects.filter { $0.status == .failed }
        let objects: [JSONValue] = listed.map { item in
            var entry: [String: JSONValue] = ["id": .string(item.id.description), "status": .string(item.status.rawValue)]
            if let error = item.error { entry["errors"] = ["error": .array([["message": .string(error)]])] }
            return .object(entry)
        }
        return JSONResponses.json([
            "match": ["class": .string(name), "where": whereJSON],
            "output": .string(output),
            "dryRun": .bool(dryRun),
            "results": [
                "matches": .int(Int64(result.matches)), "limit": .int(Int64(result.limit)),
                "successful": .int(Int64(result.successful)), "failed": .int(Int64(result.failed)),
                "objects": .array(objects),
            ],
        ])
    }
}
