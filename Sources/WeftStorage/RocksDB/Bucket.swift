/// A bucket is one RocksDB column family holding one *kind* of data for every shard of the node;
/// each key starts with the owning shard's 4-byte id (see `ShardKeyPrefix`), so a shard is a key
/// range in every bucket and can be dropped, exported or copied by range.
public enum Bucket: String, CaseIterable, Sendable {
    /// Node-level and per-shard metadata: schema, shard registry, docID counters.
    case meta
    /// shard ++ UUID (16 bytes) -> object record (the source of truth).
    case objects
    /// shard ++ docID (8 bytes, big-endian) -> UUID (16 bytes).
    case docIDs = "docids"
    /// shard ++ vector name ++ docID -> packed float32 vector.
    case vectors
    /// shard ++ property ++ value -> roaring postings of docIDs (merge operator).
    case filterable
    /// shard ++ property ++ term -> the term's postings with frequencies and property lengths,
    /// packed in blocks (`PackedTermPostings`, merge operator).
    case searchable
    /// shard ++ property ++ order-preserving value ++ docID -> empty (range filters).
    case rangeable

    enum MergeKind { case docIDBitmaps, termPostings }

    /// How the bucket's values are changed by merge operands, if they are.
    var mergeKind: MergeKind? {
        switch self {
        case .filterable: .docIDBitmaps
        case .searchable: .termPostings
        default: nil
        }
    }
}
