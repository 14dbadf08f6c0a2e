import Logging
import WeftCore

/// Start-up waiting and `/meta` for modules backed by an inference service, as Weaviate's do:
/// `GET /.well-known/ready` once a second until it answers 2xx or the start-up timeout passes.
enum ServiceReadiness {
    static func wait(for url: String, module: String, http: ModuleHTTPClient, timeout: Duration, logger: Logger, hint: String) async throws(WeftError) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var lastProblem = "no answer"
        while true {
            do {
                let reply = try await http.get(url + "/.well-known/ready", module: module, timeout: .seconds(2))
                if (200..<300).contains(reply.status) { return }
                lastProblem = "status \(reply.status)"
            } catch {
                lastProblem = error.message
            }
            guard clock.now < deadline else {
                throw .internalError("\(module): the inference service at \(url) was not ready within \(timeout) (\(lastProblem)); start it, or \(hint)")
            }
            logger.warning("\(module): inference service at \(url) not ready yet (\(lastProblem))")
            try? await Task.sleep(for: .seconds(1))
        }
    }

    static func meta(of url: String, module: String, http: ModuleHTTPClient) async -> JSONValue {
        do {
            let reply = try await http.get(url + "/meta", module: module, timeout: .seconds(5))
            guard (200..<300).contains(reply.status), let json = reply.json else { return ["error": .string("meta: status \(reply.status)")] }
            return json
        } catch {
            return ["error": .string(error.message)]
        }
    }
}
