import SwiftProtobuf
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftSearch

/// Writes the `weaviate.v1.SearchReply` of a plain search (a list of results: no groups, no
/// references, no query profile, no module output) straight to its wire bytes, the same bytes
/// that `GRPCSearch.reply` then SwiftProtobuf produce.
///
/// Why: a nearVector query's reply is ten small results, and building them as messages then
/// encoding them cost about 9 % of the server's CPU per query (a storage class allocated per
/// result's metadata, a String per UUID, and SwiftProtobuf sizing each nested message once per
/// enclosing level). Every other reply goes through `GRPCSearch.reply`, whose `ResultEncoder`
/// maps results the same way: a change to one is a change to both, and
/// `SearchReplyWriterTests` fails when they disagree.
struct SearchReplyWriter {
    let plan: GRPCSearch.Plan

    /// Whether this writer can answer: a plain list of results without referenced objects or a
    /// query profile.
    static func canWrite(_ response: SearchResponse, plan: GRPCSearch.Plan) -> Bool {
        response.groups == nil && plan.references.isEmpty && plan.request.profiler == nil
    }

    /// The reply's bytes: `took` (field 1), then each result (field 2).
    func write(_ response: SearchResponse, took: Float) throws(WeftError) -> [UInt8] {
        var writer = ProtobufWriter(capacity: 64 + response.results.count * 160)
        if took.bitPattern != 0 { writer.float(1, took) }
        for result in response.results {
            let message = writer.beginMessage(2)
            try write(result, to: &writer)
            writer.endMessage(message)
        }
        return writer.bytes
    }

    /// A `SearchResult`: properties (1), metadata (2).
    private func write(_ result: SearchResult, to writer: inout ProtobufWriter) throws(WeftError) {
        let object = result.object
        // PropertiesResult: target_collection (3), non_ref_props (11, always present).
        let properties = writer.beginMessage(1)
        if !plan.definition.name.isEmpty { writer.string(3, plan.definition.name) }
        let values = object.properties.isEmpty ? Weaviate_V1_Properties()
            : GRPCValues.properties(object.properties, definitions: plan.definition.properties, selection: plan.selection)
        if values.fields.isEmpty {
            writer.endMessage(writer.beginMessage(11))
        } else {
            // Values are a tree of oneofs, rare on the hot path (return_properties=[]).
            writer.data(11, try GRPCMethod.encode(values))
        }
        writer.endMessage(properties)
        let metadata = writer.beginMessage(2)
        writeMetadata(result, to: &writer)
        writer.endMessage(metadata)
    }

    /// A `MetadataResult`, field by field as `ResultEncoder.encode` sets them.
    private func writeMetadata(_ result: SearchResult, to writer: inout ProtobufWriter) {
        let object = result.object
        let asked = plan.metadata
        writer.uuidString(1, object.id)
        if asked.creationTimeUnix {
            if object.creationTimeUnix != 0 { writer.int64(3, object.creationTimeUnix) }
            writer.bool(4, true)
        }
        if asked.lastUpdateTimeUnix {
            if object.lastUpdateTimeUnix != 0 { writer.int64(5, object.lastUpdateTimeUnix) }
            writer.bool(6, true)
        }
        if asked.distance, let distance = result.distance {
            if distance.bitPattern != 0 { writer.float(7, distance) }
            writer.bool(8, true)
        }
        if asked.certainty, let certainty = result.certainty {
            if certainty.bitPattern != 0 { writer.float(9, certainty) }
            writer.bool(10, true)
        }
        if asked.score {
            let score = result.score ?? 0
            if score.bitPattern != 0 { writer.float(11, score) }
            writer.bool(12, true)
        }
        if asked.explainScore {
            let explanation = result.explainScore ?? ""
            if !explanation.isEmpty { writer.string(13, explanation) }
            writer.bool(14, true)
        }
        if asked.isConsistent {
            writer.bool(15, result.isConsistent ?? true)
            writer.bool(18, true)
        }
        // Most replies carry no vectors: an empty dictionary is not sorted into a new array.
        let vectors = object.vectors.isEmpty ? [] : object.vectors.sorted { $0.key < $1.key }
        if let legacy = vectors.first(where: { $0.key == CollectionDefinition.legacyVectorName }), !legacy.value.isEmpty {
            writer.packedFloats(19, legacy.value)
        }
        writer.data(20, object.id.bytes)
        for (name, vector) in vectors where name != CollectionDefinition.legacyVectorName {
            // Vectors: name (1), vector_bytes (3), type (4).
            let message = writer.beginMessage(23)
            if !name.isEmpty { writer.string(1, name) }
            if !vector.isEmpty { writer.packedFloats(3, vector) }
            writer.enumeration(4, Weaviate_V1_Vectors.VectorType.singleFp32.rawValue)
            writer.endMessage(message)
        }
    }
}
