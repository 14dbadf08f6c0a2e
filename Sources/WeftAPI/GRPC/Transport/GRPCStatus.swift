import GRPCCore
import WeftCore

/// The status a call ends with: `grpc-status` and `grpc-message` of its trailers.
struct GRPCStatus: Error, Sendable {
    /// The status code's number (0 OK, 13 INTERNAL, ...).
    var code: Int
    var message: String

    static let ok = GRPCStatus(code: 0, message: "")

    init(code: RPCError.Code, message: String) {
        self.init(code: code.rawValue, message: message)
    }

    private init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: WeftError) {
        self.init(code: ErrorMapping.grpcCode(error.code), message: error.message)
    }

    /// gRPC's encoding of `grpc-message`: bytes outside printable ASCII, and `%`, as `%XX` of UTF-8.
    static func percentEncoded(_ message: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(message.utf8.count)
        for byte in message.utf8 {
            if byte >= 0x20, byte <= 0x7E, byte != UInt8(ascii: "%") {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
