import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import WeftGRPCProtos

/// A real gRPC client (grpc-swift over HTTP/2) for Weaviate's service on a test server.
func withWeaviateGRPC<T: Sendable>(
    port: Int, _ body: (Weaviate_V1_Weaviate.Client<HTTP2ClientTransport.Posix>) async throws -> T
) async throws -> T {
    let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
    return try await withGRPCClient(transport: transport) { client in
        try await body(Weaviate_V1_Weaviate.Client(wrapping: client))
    }
}

extension Weaviate_V1_SearchRequest {
    /// nearVector for `vector` on the collection's unnamed vector, `limit` results with uuid and distance.
    static func nearVector(_ collection: String, _ vector: [Float], limit: UInt32) -> Self {
        var request = Self()
        request.collection = collection
        request.limit = limit
        var near = Weaviate_V1_NearVector()
        var vectors = Weaviate_V1_Vectors()
        var bytes = Data()
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        vectors.vectorBytes = bytes
        vectors.type = .singleFp32
        near.vectors = [vectors]
        request.nearVector = near
        request.metadata.uuid = true
        request.metadata.distance = true
        return request
    }
}
