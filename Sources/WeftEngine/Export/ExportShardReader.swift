import WeftCore
import WeftStorage

/// One object as an export writes it: the record's fields with the properties still as their
/// stored JSON, and each vector as packed little-endian float32 bytes.
public struct ExportedObject: Sendable {
    public var id: ObjectID
    public var creationTimeUnix: Int64
    public var lastUpdateTimeUnix: Int64
    public var propertiesJSON: [UInt8]
    /// By storage name ("" = the unnamed vector); only the vectors the object has.
    public var vectors: [(name: String, bytes: [UInt8])]
}

/// Reads one shard's objects from an export's snapshot in UUID order, a batch at a time, so the
/// export can give its thread back between batches.
public final class ExportShardReader {
    private let snapshot: StoreSnapshot
    private let shard: ExportSource.ShardEntry
    private let objects: StoreIterator

    init(snapshot: StoreSnapshot, shard: ExportSource.ShardEntry) {
        self.snapshot = snapshot
        self.shard = shard
        objects = snapshot.iterator(.objects, range: shard.prefix.range)
    }

    /// Up to `limit` next objects; empty at the end of the shard.
    public func next(limit: Int) throws(WeftError) -> [ExportedObject] {
        var batch: [ExportedObject] = []
        while batch.count < limit, let (key, value) = objects.current() {
            guard key.count == 20, let id = ObjectID(bytes: Array(key[4...])) else {
                throw .dataLoss("corrupted object key in shard \(shard.name) of \(shard.collection)")
            }
            let record = try ObjectRecordCodec.decodeUnparsed(value, id: id)
            var vectors: [(name: String, bytes: [UInt8])] = []
            for name in shard.vectorNames {
                if let bytes = try snapshot.get(.vectors, VectorKey.key(shard: shard.prefix, name: name, docID: record.docID)) {
                    vectors.append((name, bytes))
                }
            }
            batch.append(ExportedObject(id: id, creationTimeUnix: record.created, lastUpdateTimeUnix: record.updated,
                                        propertiesJSON: record.propertiesJSON, vectors: vectors))
            objects.advance()
        }
        try objects.checkError()
        return batch
    }
}
