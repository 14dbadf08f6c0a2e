import Foundation
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftSearch

/// Conversions between the engine's values and the node-to-node messages (`weft.internal.v1`).
enum InternalMessages {
    typealias Proto = Weft_Internal_V1_StoredObject

    static func proto(_ object: StoredObject) -> Proto {
        var proto = Proto()
        proto.id = object.id.description
        proto.docID = object.docID
        proto.creationTimeUnix = object.creationTimeUnix
        proto.lastUpdateTimeUnix = object.lastUpdateTimeUnix
        proto.propertiesJson = Data(JSONWriter.bytes(.object(object.properties)))
        for (name, vector) in object.vectors { proto.vectors[name] = vectorProto(vector) }
        return proto
    }

    static func proto(_ entry: ReplicaEntry) -> Weft_Internal_V1_ShardDigestReply.Entry {
        var proto = Weft_Internal_V1_ShardDigestReply.Entry()
        proto.id = entry.id.description
        proto.updateTime = entry.time
        proto.deleted = entry.deleted
        proto.digest = entry.digest
        return proto
    }

    static func entry(_ proto: Weft_Internal_V1_ShardDigestReply.Entry) -> ReplicaEntry? {
        ObjectID(proto.id).map { ReplicaEntry(id: $0, time: proto.updateTime, deleted: proto.deleted, digest: proto.digest) }
    }

    static func object(_ proto: Proto) throws(WeftError) -> StoredObject {
        guard let id = ObjectID(proto.id) else { throw .internalError("cluster: a node sent an object without a valid id") }
        return StoredObject(id: id, docID: proto.docID, creationTimeUnix: proto.creationTimeUnix, lastUpdateTimeUnix: proto.lastUpdateTimeUnix,
                            properties: try properties(proto.propertiesJson), vectors: proto.vectors.mapValues(\.values))
    }

    static func vectorProto(_ vector: [Float]) -> Weft_Internal_V1_Vector {
        var proto = Weft_Internal_V1_Vector()
        proto.values = vector
        return proto
    }

    static func properties(_ bytes: Data) throws(WeftError) -> [String: JSONValue] {
        guard !bytes.isEmpty else { return [:] }
        guard case .object(let properties)? = try? JSONParser.parse(Array(bytes), maximumDepth: 512) else {
            throw .internalError("cluster: a node sent properties that are not a JSON object")
        }
        return properties
    }

    static func input(_ input: ObjectInput) -> Weft_Internal_V1_ObjectInput {
        var proto = Weft_Internal_V1_ObjectInput()
        proto.collection = input.className ?? ""
        proto.id = input.id?.description ?? ""
        proto.propertiesJson = Data(JSONWriter.bytes(.object(input.properties)))
        if let vector = input.vector { proto.vector = vectorProto(vector) }
        for (name, vector) in input.vectors { proto.vectors[name] = vectorProto(vector) }
        proto.tenant = input.tenant ?? ""
        return proto
    }

    static func input(_ proto: Weft_Internal_V1_ObjectInput) throws(WeftError) -> ObjectInput {
        ObjectInput(className: proto.collection, id: ObjectID(proto.id), properties: try properties(proto.propertiesJson),
                    vector: proto.hasVector ? proto.vector.values : nil, vectors: proto.vectors.mapValues(\.values),
                    tenant: proto.tenant.isEmpty ? nil : proto.tenant)
    }

    static func error(_ error: WeftError) -> Weft_Internal_V1_Error {
        var proto = Weft_Internal_V1_Error()
        proto.code = error.code.rawValue
        proto.message = error.message
        return proto
    }

    static func error(_ proto: Weft_Internal_V1_Error) -> WeftError {
        WeftError(WeftError.Code(rawValue: proto.code) ?? .internal, proto.message)
    }

    static func kind(_ kind: ObjectWrite.Kind) -> Weft_Internal_V1_WriteObjectsRequest.Kind {
        switch kind {
        case .upsert: .upsert
        case .create: .create
        case .replace: .replace
        case .merge: .merge
        }
    }

    static func kind(_ proto: Weft_Internal_V1_WriteObjectsRequest.Kind) -> ObjectWrite.Kind {
        switch proto {
        case .create: .create
        case .replace: .replace
        case .merge: .merge
        default: .upsert
        }
    }

    static func hit(_ hit: ShardHit) -> Weft_Internal_V1_Hit {
        var proto = Weft_Internal_V1_Hit()
        proto.shard = Int32(hit.shard)
        proto.docID = hit.docID
        if let distance = hit.distance { proto.distance = distance }
        if let score = hit.score { proto.score = score }
        if let explain = hit.explain { proto.explain = explain }
        if let object = hit.object { proto.object = self.proto(object) }
        return proto
    }

    static func hit(_ proto: Weft_Internal_V1_Hit) throws(WeftError) -> ShardHit {
        let object = try self.object(proto.object)
        return ShardHit(shard: Int(proto.shard), docID: proto.docID, distance: proto.hasDistance ? proto.distance : nil,
                        score: proto.hasScore ? proto.score : nil, explain: proto.hasExplain ? proto.explain : nil, id: object.id, object: object)
    }

    static func reply(_ partial: PartialHits) throws(WeftError) -> Weft_Internal_V1_SearchShardsReply {
        var reply = Weft_Internal_V1_SearchShardsReply()
        reply.hits = partial.hits.map(hit)
        if let side = partial.vectorSide { reply.vectorSide = side.map(hit) }
        if let side = partial.keywordSide { reply.keywordSide = side.map(hit) }
        if let candidates = partial.multiTarget {
            do { reply.multiTargetJson = try JSONEncoder().encode(candidates) } catch {
                throw .internalError("cluster: cannot encode a multi-target search's candidates: \(error)")
            }
        }
        return reply
    }

    static func partial(_ reply: Weft_Internal_V1_SearchShardsReply, hybrid: Bool) throws(WeftError) -> PartialHits {
        func hits(_ list: [Weft_Internal_V1_Hit]) throws(WeftError) -> [ShardHit] {
            try list.map { (proto: Weft_Internal_V1_Hit) throws(WeftError) in try hit(proto) }
        }
        var candidates: MultiTargetCandidates? = nil
        if !reply.multiTargetJson.isEmpty {
            do { candidates = try JSONDecoder().decode(MultiTargetCandidates.self, from: reply.multiTargetJson) } catch {
                throw .internalError("cluster: a multi-target search's candidates from another node cannot be read: \(error)")
            }
        }
        return PartialHits(hits: try hits(reply.hits), vectorSide: hybrid ? try hits(reply.vectorSide) : nil,
                           keywordSide: hybrid ? try hits(reply.keywordSide) : nil, multiTarget: candidates)
    }
}
