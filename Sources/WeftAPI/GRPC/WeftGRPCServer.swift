import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import WeftCore
import WeftEngine

/// The gRPC server on `GRPC_PORT`: Weaviate's service and the health service over HTTP/2
/// (plaintext), with Weaviate's message size limit.
public enum WeftGRPCServer {
    /// Weaviate's `GRPC_MAX_MESSAGE_SIZE` (the value `/v1/meta` reports as grpcMaxMessageSize).
    public static let maximumMessageBytes = 104_858_000

    public static func make(database: Database) -> GRPCServer<HTTP2ServerTransport.Posix> {
        let configuration = database.configuration
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: configuration.host, port: configuration.grpcPort),
            transportSecurity: .plaintext,
            config: .defaults { $0.rpc.maxRequestPayloadSize = maximumMessageBytes })
        return GRPCServer(transport: transport, services: [WeaviateService(database: database), HealthService()])
    }
}
