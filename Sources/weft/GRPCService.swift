import ServiceLifecycle
import WeftAPI

/// Runs the gRPC server in the service group; graceful shutdown lets in-flight calls finish.
struct GRPCService: Service {
    let server: WeftGRPCServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}
