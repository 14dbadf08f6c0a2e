import NIOCore

/// gRPC's length-prefixed messages on an HTTP/2 stream: each message is a compressed flag (one
/// byte), its length (four bytes, big-endian) and its bytes, and DATA frames cut them anywhere.
/// `append` takes a frame's bytes, `next` returns each message once it is whole.
struct GRPCMessageFramer {
    /// Weaviate's `GRPC_MAX_MESSAGE_SIZE`: a longer message is refused before it is buffered.
    let maximumMessageBytes: Int
    private var buffered: ByteBuffer?

    init(maximumMessageBytes: Int) {
        self.maximumMessageBytes = maximumMessageBytes
    }

    mutating func append(_ bytes: inout ByteBuffer) {
        if buffered == nil {
            buffered = bytes
        } else {
            buffered!.writeBuffer(&bytes)
        }
    }

    /// The next whole message, nil until one has arrived.
    mutating func next() throws(GRPCStatus) -> [UInt8]? {
        guard var buffer = buffered, buffer.readableBytes >= 5,
            let compressed = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)
        else { return nil }
        guard compressed == 0 else {
            // As a Go gRPC server without the compressor registered (Weaviate's) answers.
            throw GRPCStatus(code: .unimplemented, message: "compressed gRPC messages are not supported: send them uncompressed (grpc-encoding identity)")
        }
        guard Int(length) <= maximumMessageBytes else {
            throw GRPCStatus(code: .resourceExhausted, message: "gRPC message of \(length) bytes is larger than the maximum of \(maximumMessageBytes) (GRPC_MAX_MESSAGE_SIZE)")
        }
        guard buffer.readableBytes >= 5 + Int(length) else { return nil }
        // `buffer` becomes the only reference, so what follows changes it in place (a copy still
        // held by `buffered` would make the compaction below copy the whole rest).
        buffered = nil
        buffer.moveReaderIndex(forwardBy: 5)
        let message = buffer.readBytes(length: Int(length))!
        guard buffer.readableBytes > 0 else { return message }
        // Read bytes are dropped once they outweigh the rest: linear in the bytes received overall.
        if buffer.readerIndex > buffer.readableBytes { buffer.discardReadBytes() }
        buffered = buffer
        return message
    }

    /// Bytes received that do not yet make a whole message.
    var hasPartialMessage: Bool { (buffered?.readableBytes ?? 0) > 0 }

    /// `message` with its five-byte prefix, ready for a DATA frame.
    static func frame(_ message: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 5 + message.count)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(message.count))
        buffer.writeBytes(message)
        return buffer
    }
}
