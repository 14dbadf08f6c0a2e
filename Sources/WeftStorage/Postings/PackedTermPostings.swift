import WeftCore

/// One posting of a term: the document, the term's frequency in the property, and the
/// property's length in tokens.
public struct TermPosting: Sendable, Equatable {
    public var docID: UInt64
    public var frequency: UInt32
    public var propertyLength: UInt32

    public init(docID: UInt64, frequency: UInt32, propertyLength: UInt32) {
        self.docID = docID
        self.frequency = frequency
        self.propertyLength = propertyLength
    }
}

/// All postings of one term in one property of one shard, as one stored value: blocks of up to
/// 128 postings in docID order, each with a header a search can skip by (its docID range) and
/// bound by (its largest frequency and smallest property length: no posting of the block scores
/// more than those two would, whatever the average length), and a bit-packed payload.
///
///     value  = | u8 version = 1 | u32 LE postings | block... |
///     block  = | u64 LE first docID | u64 LE last docID | u16 LE postings | u32 LE max frequency |
///              | u32 LE min property length | u8 delta bits | u8 frequency bits | u8 length bits |
///              | u32 LE payload bytes | payload |
///     payload = (postings − 1) docID gaps − 1, then frequencies − 1, then property lengths, each
///               list packed least significant bit first at its width
///
/// Blocks are independent, so a merge rewrites only the blocks a change falls in
/// (`TermPostingsMerge`). Parsing reads the headers only; `decode(block:into:)` unpacks one block.
public struct PackedTermPostings: Sendable {
    public static let version: UInt8 = 1
    public static let blockCapacity = 128
    static let valueHeaderBytes = 5
    @usableFromInline static let blockHeaderBytes = 33

    public struct Block: Sendable {
        public var firstDocID: UInt64
        public var lastDocID: UInt64
        public var count: Int
        public var maxFrequency: UInt32
        public var minPropertyLength: UInt32
        /// Where the block's header starts in `bytes` and where its payload ends.
        @usableFromInline var start: Int
        @usableFromInline var end: Int
        @usableFromInline var deltaBits: Int
        @usableFromInline var frequencyBits: Int
        @usableFromInline var lengthBits: Int
    }

    public let bytes: [UInt8]
    public let count: Int
    public let blocks: [Block]

    public static let empty = PackedTermPostings(bytes: [], count: 0, blocks: [])

    private init(bytes: [UInt8], count: Int, blocks: [Block]) {
        self.bytes = bytes
        self.count = count
        self.blocks = blocks
    }

    /// Parses the block headers of a stored value; throws `dataLoss` for anything malformed.
    public init(_ bytes: [UInt8]) throws(WeftError) {
        var reader = ByteReader(bytes, context: "term postings")
        guard try reader.readUInt8() == Self.version else { throw .dataLoss("corrupted term postings: unknown format version") }
        let total = Int(try reader.readUInt32LE())
        var blocks: [Block] = []
        blocks.reserveCapacity(total / Self.blockCapacity + 1)
        var counted = 0
        while !reader.isAtEnd {
            let start = reader.offset
            let first = try reader.readUInt64LE()
            let last = try reader.readUInt64LE()
            let count = Int(try reader.readUInt16LE())
            let maxFrequency = try reader.readUInt32LE()
            let minLength = try reader.readUInt32LE()
            let deltaBits = Int(try reader.readUInt8()), frequencyBits = Int(try reader.readUInt8()), lengthBits = Int(try reader.readUInt8())
            let payload = Int(try reader.readUInt32LE())
            let needed = ((count - 1) * deltaBits + count * (frequencyBits + lengthBits) + 7) / 8
            guard count >= 1, count <= Self.blockCapacity, last >= first, deltaBits <= 64, frequencyBits <= 32, lengthBits <= 32,
                  payload == needed, payload <= reader.remaining, blocks.last.map({ $0.lastDocID < first }) ?? true else {
                throw .dataLoss("corrupted term postings: bad block header at offset \(start)")
            }
            _ = try reader.readBytes(payload)
            blocks.append(Block(firstDocID: first, lastDocID: last, count: count, maxFrequency: maxFrequency, minPropertyLength: minLength,
                                start: start, end: reader.offset, deltaBits: deltaBits, frequencyBits: frequencyBits, lengthBits: lengthBits))
            counted += count
        }
        guard counted == total else { throw .dataLoss("corrupted term postings: \(counted) postings in blocks, header says \(total)") }
        self.init(bytes: bytes, count: total, blocks: blocks)
    }

    /// Unpacks block `index` into the three arrays (replacing their contents).
    public func decode(block index: Int, docIDs: inout [UInt64], frequencies: inout [UInt32], lengths: inout [UInt32]) {
        let count = blocks[index].count
        docIDs = [UInt64](unsafeUninitializedCapacity: count) { buffer, initialized in
            frequencies = [UInt32](unsafeUninitializedCapacity: count) { frequencyBuffer, frequencyCount in
                lengths = [UInt32](unsafeUninitializedCapacity: count) { lengthBuffer, lengthCount in
                    unpack(block: index, docIDs: buffer.baseAddress!, frequencies: frequencyBuffer.baseAddress!, lengths: lengthBuffer.baseAddress!)
                    lengthCount = count
                }
                frequencyCount = count
            }
            initialized = count
        }
    }

    /// Unpacks block `index` into memory with room for `blockCapacity` postings each. Not an
    /// overload of `decode`: `&array` arguments would silently convert to these pointers.
    public func unpack(block index: Int, docIDs: UnsafeMutablePointer<UInt64>, frequencies: UnsafeMutablePointer<UInt32>,
                       lengths: UnsafeMutablePointer<UInt32>) {
        bytes.withUnsafeBufferPointer { buffer in
            Self.unpack(blocks[index], from: buffer, docIDs: docIDs, frequencies: frequencies, lengths: lengths)
        }
    }

    /// Unpacks `block` of the value in `bytes` (the search's path: cursors keep the value's bytes
    /// and headers in memory of their own, and nothing here counts references).
    @inlinable
    public static func unpack(_ block: Block, from bytes: UnsafeBufferPointer<UInt8>, docIDs: UnsafeMutablePointer<UInt64>,
                              frequencies: UnsafeMutablePointer<UInt32>, lengths: UnsafeMutablePointer<UInt32>) {
        var unpacker = BitUnpacker(bytes, offset: block.start + blockHeaderBytes)
        var docID = block.firstDocID
        docIDs[0] = docID
        if block.deltaBits <= 32 {
            for position in 1..<max(block.count, 1) {
                docID &+= unpacker.read(block.deltaBits) &+ 1
                docIDs[position] = docID
            }
        } else {
            for position in 1..<max(block.count, 1) {
                docID &+= unpacker.readWide(block.deltaBits) &+ 1
                docIDs[position] = docID
            }
        }
        for position in 0..<block.count { frequencies[position] = UInt32(truncatingIfNeeded: unpacker.read(block.frequencyBits)) &+ 1 }
        for position in 0..<block.count { lengths[position] = UInt32(truncatingIfNeeded: unpacker.read(block.lengthBits)) }
    }

    /// Every posting, in docID order.
    public func all() -> [TermPosting] {
        var result: [TermPosting] = []
        result.reserveCapacity(count)
        var docIDs: [UInt64] = [], frequencies: [UInt32] = [], lengths: [UInt32] = []
        for index in blocks.indices {
            decode(block: index, docIDs: &docIDs, frequencies: &frequencies, lengths: &lengths)
            for position in docIDs.indices {
                result.append(TermPosting(docID: docIDs[position], frequency: frequencies[position], propertyLength: lengths[position]))
            }
        }
        return result
    }

    // MARK: Encoding

    /// The stored value of `postings` (ascending, distinct docIDs; frequencies ≥ 1).
    public static func encode(_ postings: [TermPosting]) -> [UInt8] {
        var writer = ValueWriter()
        writer.append(postings[...])
        return writer.finish()
    }

    /// Builds a value from whole blocks copied from existing values and new postings.
    struct ValueWriter {
        private var body: [UInt8] = []
        private var total = 0

        /// Appends an already encoded block of `source` unchanged.
        mutating func copy(_ block: Block, from source: PackedTermPostings) {
            body.append(contentsOf: source.bytes[block.start..<block.end])
            total += block.count
        }

        /// Appends postings (ascending, all above the last appended docID) as blocks of 128.
        mutating func append(_ postings: ArraySlice<TermPosting>) {
            var start = postings.startIndex
            while start < postings.endIndex {
                let end = min(start + PackedTermPostings.blockCapacity, postings.endIndex)
                appendBlock(postings[start..<end])
                start = end
            }
        }

        private mutating func appendBlock(_ postings: ArraySlice<TermPosting>) {
            let first = postings.first!, last = postings.last!
            var maxGap: UInt64 = 0, maxFrequency: UInt32 = 0, maxLength: UInt32 = 0, minLength = UInt32.max
            var previous = first.docID
            for posting in postings {
                if posting.docID != first.docID { maxGap = max(maxGap, posting.docID - previous - 1) }
                previous = posting.docID
                maxFrequency = max(maxFrequency, posting.frequency)
                maxLength = max(maxLength, posting.propertyLength)
                minLength = min(minLength, posting.propertyLength)
            }
            let deltaBits = bitWidth(maxGap), frequencyBits = bitWidth(UInt64(maxFrequency - 1)), lengthBits = bitWidth(UInt64(maxLength))
            var packer = BitPacker()
            previous = first.docID
            for posting in postings.dropFirst() {
                packer.write(posting.docID - previous - 1, bits: deltaBits)
                previous = posting.docID
            }
            for posting in postings { packer.write(UInt64(posting.frequency - 1), bits: frequencyBits) }
            for posting in postings { packer.write(UInt64(posting.propertyLength), bits: lengthBits) }
            let payload = packer.finish()
            var header = ByteWriter(capacity: PackedTermPostings.blockHeaderBytes)
            header.writeUInt64LE(first.docID)
            header.writeUInt64LE(last.docID)
            header.writeUInt16LE(UInt16(postings.count))
            header.writeUInt32LE(maxFrequency)
            header.writeUInt32LE(minLength)
            header.writeUInt8(UInt8(deltaBits))
            header.writeUInt8(UInt8(frequencyBits))
            header.writeUInt8(UInt8(lengthBits))
            header.writeUInt32LE(UInt32(payload.count))
            body.append(contentsOf: header.bytes)
            body.append(contentsOf: payload)
            total += postings.count
        }

        func finish() -> [UInt8] {
            var value = ByteWriter(capacity: PackedTermPostings.valueHeaderBytes + body.count)
            value.writeUInt8(PackedTermPostings.version)
            value.writeUInt32LE(UInt32(total))
            value.writeBytes(body)
            return value.bytes
        }
    }
}

private func bitWidth(_ value: UInt64) -> Int { 64 - value.leadingZeroBitCount }

/// Packs values of given bit widths, least significant bit first.
private struct BitPacker {
    private var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var buffered = 0

    mutating func write(_ value: UInt64, bits: Int) {
        guard bits > 0 else { return }
        if bits > 32 {
            write(value & 0xFFFF_FFFF, bits: 32)
            write(value >> 32, bits: bits - 32)
            return
        }
        buffer |= (value & ((1 << UInt64(bits)) - 1)) << UInt64(buffered)
        buffered += bits
        while buffered >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            buffered -= 8
        }
    }

    mutating func finish() -> [UInt8] {
        if buffered > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
        return bytes
    }
}

/// Reads what `BitPacker` wrote. The caller has checked the payload's length against the widths.
@usableFromInline
struct BitUnpacker {
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    @usableFromInline var offset: Int
    @usableFromInline var buffer: UInt64 = 0
    @usableFromInline var buffered = 0

    @inlinable
    init(_ bytes: UnsafeBufferPointer<UInt8>, offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    /// A value of at most 32 bits.
    @inlinable @inline(__always)
    mutating func read(_ bits: Int) -> UInt64 {
        guard bits > 0 else { return 0 }
        while buffered < bits {
            buffer |= UInt64(bytes[offset]) << UInt64(buffered)
            offset += 1
            buffered += 8
        }
        let value = buffer & ((1 << UInt64(bits)) - 1)
        buffer >>= UInt64(bits)
        buffered -= bits
        return value
    }

    /// A value of up to 64 bits, in two parts.
    @inlinable
    mutating func readWide(_ bits: Int) -> UInt64 {
        guard bits > 32 else { return read(bits) }
        let low = read(32)
        return low | read(bits - 32) << 32
    }
}
