import Hummingbird
import WeftCore
import WeftEngine
import WeftExport

/// `/v1/export/{backend}` (create), `/v1/export/{backend}/{id}` (status, cancel): Weaviate's
/// collection exports to Parquet files (`ExportScheduler`). Each call does file I/O, so it runs on
/// the write lane; the export itself runs on the background lane.
struct ExportRoutes {
    let database: Database
    let exports: ExportScheduler
    let bodyLimit: Int

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/export/:backend") { request, context in
            let backend = try context.parameters.require("backend")
            let body = try await JSONResponses.body(request, limit: bodyLimit)
            return JSONResponses.json(try await database.executor.run(.write) { () throws(WeftError) in
                try exports.create(backend: backend, body: body)
            })
        }
        router.get("/v1/export/:backend/:id") { _, context in
            let backend = try context.parameters.require("backend")
            let id = try context.parameters.require("id")
            return JSONResponses.json(try await database.executor.run(.write) { () throws(WeftError) in
                try exports.status(backend: backend, id: id)
            })
        }
        router.delete("/v1/export/:backend/:id") { _, context in
            let backend = try context.parameters.require("backend")
            let id = try context.parameters.require("id")
            try await database.executor.run(.write) { () throws(WeftError) in try exports.cancel(backend: backend, id: id) }
            return JSONResponses.empty(.noContent)
        }
    }
}
