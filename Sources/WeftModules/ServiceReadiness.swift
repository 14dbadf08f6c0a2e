import Logging
import Synchronization
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

    /// A service address from the environment, without a trailing slash; nil when unset or blank.
    static func url(_ environment: [String: String], _ name: String) -> String? {
        guard let text = environment[name]?.trimmingSpaces(), !text.isEmpty else { return nil }
        return withoutTrailingSlash(text)
    }

    static func withoutTrailingSlash(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }

    /// `<MODULE>_WAIT_FOR_STARTUP`: true unless set to false, 0 or off.
    static func waitsForStartup(_ environment: [String: String], _ name: String) -> Bool {
        environment[name].map { !["false", "0", "off"].contains($0.lowercased()) } ?? true
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

/// A service's `/meta`, asked once it answers: `/v1/meta` is read by every client on connect.
final class CachedServiceMeta: Sendable {
    private let known = Mutex<JSONValue?>(nil)
    let url: String
    let module: String
    let http: ModuleHTTPClient

    init(url: String, module: String, http: ModuleHTTPClient) {
        self.url = url
        self.module = module
        self.http = http
    }

    func meta() async -> JSONValue {
        if let meta = known.withLock({ $0 }) { return meta }
        let meta = await ServiceReadiness.meta(of: url, module: module, http: http)
        if meta["error"] == nil { known.withLock { $0 = meta } }
        return meta
    }
}
