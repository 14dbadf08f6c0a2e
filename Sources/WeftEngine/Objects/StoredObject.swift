import WeftCore
import WeftStorage

/// An object as a shard stores it. Vectors are kept in the `vectors` bucket, apart from the record,
/// so that a vector index can stream them by docID without decoding properties.
public struct StoredObject: Sendable, Equatable {
    public var id: ObjectID
    public var docID: UInt64
    public var creationTimeUnix: Int64
    public var lastUpdateTimeUnix: Int64
    public var properties: [String: JSONValue]
    /// By storage name ("" = the collection's unnamed vector). Empty unless loaded.
    public var vectors: [String: [Float]]

    public init(id: ObjectID, docID: UInt64 = 0, creationTimeUnix: Int64, lastUpdateTimeUnix: Int64,
                properties: [String: JSONValue], vectors: [String: [Float]] = [:]) {
        self.id = id
        self.docID = docID
        self.creationTimeUnix = creationTimeUnix
        self.lastUpdateTimeUnix = lastUpdateTimeUnix
        self.properties = properties
        self.vectors = vectors
    }
}

/// Object record, version 1 (value of `objects`, key = shard ++ UUID):
///
/// | bytes | field |
/// |---|---|
/// | 1 | version = 1 |
/// | 8 | docID, u64 LE |
/// | 8 | creationTimeUnix (ms), i64 LE |
/// | 8 | lastUpdateTimeUnix (ms), i64 LE |
/// | 4 + n | properties as compact JSON, length u32 LE |
enum ObjectRecordCodec {
    static let version: UInt8 = 1

    static func encode(_ object: StoredObject) -> [UInt8] {
        let json = JSONWriter.bytes(.object(object.properties))
        var writer = ByteWriter(capacity: 32 + json.count)
        writer.writeUInt8(version)
        writer.writeUInt64LE(object.docID)
        writer.writeInt64LE(object.creationTimeUnix)
        writer.writeInt64LE(object.lastUpdateTimeUnix)
        writer.writeLengthPrefixed(json)
        return writer.bytes
    }

    /// A record's fields with the properties left as the stored JSON bytes (an export copies them
    /// as they are, without parsing).
    static func decodeUnparsed(_ bytes: [UInt8], id: ObjectID) throws(WeftError) -> (docID: UInt64, created: Int64, updated: Int64, propertiesJSON: [UInt8]) {
        var reader = ByteReader(bytes, context: "object record \(id)")
        let recordVersion = try reader.readUInt8()
        guard recordVersion == version else { throw .dataLoss("corrupted object record \(id): unknown version \(recordVersion)") }
        return (try reader.readUInt64LE(), try reader.readInt64LE(), try reader.readInt64LE(), try reader.readLengthPrefixed())
    }

    /// A version's content digest (its properties as stored: sorted-key compact JSON, so equal
    /// properties give equal digests on every replica): how replicas tell two versions written
    /// in the same millisecond apart, and pick one of them the same way everywhere.
    static func versionDigest(of object: StoredObject) -> UInt64 {
        Murmur3.hash64(JSONWriter.bytes(.object(object.properties)))
    }

    /// What replicas compare of a stored record (update time and content digest), without
    /// parsing its properties.
    static func replicaEntry(_ bytes: [UInt8], id: ObjectID) throws(WeftError) -> ReplicaEntry {
        let (_, _, updated, json) = try decodeUnparsed(bytes, id: id)
        return ReplicaEntry(id: id, time: updated, deleted: false, digest: Murmur3.hash64(json))
    }

    static func decode(_ bytes: [UInt8], id: ObjectID) throws(WeftError) -> StoredObject {
        let (docID, created, updated, json) = try decodeUnparsed(bytes, id: id)
        let parsed: JSONValue
        do { parsed = try JSONParser.parse(json, maximumDepth: 512) } catch {
            throw .dataLoss("corrupted object record \(id): \(error.message)")
        }
        guard case .object(let properties) = parsed else {
            throw .dataLoss("corrupted object record \(id): properties are not an object")
        }
        return StoredObject(id: id, docID: docID, creationTimeUnix: created, lastUpdateTimeUnix: updated, properties: properties)
    }
}

/// Vector value (key = shard ++ u8 name length ++ name ++ docID BE): packed float32 LE, no header;
/// the dimension is the value length / 4.
enum VectorKey {
    static func key(shard: ShardKeyPrefix, name: String, docID: UInt64) -> [UInt8] {
        var key = prefix(shard: shard, name: name)
        withUnsafeBytes(of: docID.bigEndian) { key.append(contentsOf: $0) }
        return key
    }

    /// Every vector of one space of one shard, in docID order.
    static func prefix(shard: ShardKeyPrefix, name: String) -> [UInt8] {
        var key = shard.bytes
        let nameBytes = Array(name.utf8)
        key.append(UInt8(nameBytes.count))
        key.append(contentsOf: nameBytes)
        return key
    }
}
