import GRPCCore
import HTTPTypes
import Testing
import WeftAPI
import WeftCore

/// Every domain error code through both wire tables (ErrorMapping.swift), with the rules the
/// clients depend on: input errors are 4xx and never UNAVAILABLE (the official clients retry that
/// for minutes), overload is 503 / RESOURCE_EXHAUSTED, corruption 503 / DATA_LOSS.
@Suite struct ErrorMappingTests {
    static let expected: [WeftError.Code: (http: Int, grpc: RPCError.Code)] = [
        .malformedRequest: (400, .invalidArgument),
        .invalidInput: (422, .invalidArgument),
        .notFound: (404, .notFound),
        .conflict: (409, .aborted),
        .tooLarge: (413, .resourceExhausted),
        .unauthenticated: (401, .unauthenticated),
        .forbidden: (403, .permissionDenied),
        .readOnly: (422, .failedPrecondition),
        .diskFull: (507, .resourceExhausted),
        .resourceExhausted: (503, .resourceExhausted),
        .dataLoss: (503, .dataLoss),
        .unavailable: (503, .unavailable),
        .internal: (500, .internalError),
    ]

    @Test(arguments: WeftError.Code.allCases)
    func everyCodeHasAnHTTPAndAGRPCStatus(_ code: WeftError.Code) throws {
        let expected = try #require(Self.expected[code], "\(code) is missing from this test's table")
        #expect(Int(ErrorMapping.httpStatus(code).code) == expected.http, "\(code)")
        #expect(ErrorMapping.grpcCode(code) == expected.grpc, "\(code)")
        let status = ErrorMapping.rpcError(WeftError(code, "why"))
        #expect(status.code == expected.grpc && status.message == "why")
        // Only something really unreachable may be retried as UNAVAILABLE.
        #expect((ErrorMapping.grpcCode(code) == .unavailable) == (code == .unavailable))
        #expect(Int(ErrorMapping.httpStatus(code).code) >= 400)
    }

    @Test func theTableCoversEveryCode() {
        #expect(Set(Self.expected.keys) == Set(WeftError.Code.allCases))
    }
}
