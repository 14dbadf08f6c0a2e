import Hummingbird
import WeftCore
import WeftEngine
import WeftModules

/// `POST /v1/graphql` (one request) and `POST /v1/graphql/batch` (a list of requests). GraphQL
/// errors are reported in the result's `errors` with status 200, as Weaviate does; a body that is
/// not JSON, or not a request object with a `query` string, is a 4xx like every other endpoint.
struct GraphQLRoutes {
    let endpoint: GraphQLEndpoint
    let bodyLimit: Int

    init(database: Database, bodyLimit: Int, modules: ModuleRegistry = .none) {
        endpoint = GraphQLEndpoint(database: database, modules: modules)
        self.bodyLimit = bodyLimit
    }

    static func moduleHeaders(_ request: Request) -> ModuleHeaders {
        ModuleHeaders(request.headers.map { (String(describing: $0.name), $0.value) })
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/graphql") { request, _ in
            let body = try await JSONResponses.body(request, limit: bodyLimit)
            // Not a GraphQL request at all (as Weaviate's request validation): 422.
            guard body.objectValue?["query"]?.stringValue != nil else {
                throw WeftError.invalidInput("graphql: the body must be an object with a \"query\" string")
            }
            return JSONResponses.json(await endpoint.execute(body, headers: Self.moduleHeaders(request)))
        }
        router.post("/v1/graphql/batch") { request, _ in
            let body = try await JSONResponses.body(request, limit: bodyLimit)
            guard let requests = body.arrayValue else { throw WeftError.invalidInput("graphql batch: the body must be a list of requests") }
            var results: [JSONValue] = []
            let headers = Self.moduleHeaders(request)
            for item in requests { results.append(await endpoint.execute(item, headers: headers)) }
            return JSONResponses.json(.array(results))
        }
    }
}
