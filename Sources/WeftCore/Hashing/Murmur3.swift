/// MurmurHash3 x64 128-bit, first 64 bits (h1), seed 0: the `Sum64` Weaviate uses to place an
/// object's UUID string on the virtual-shard ring. Must match bit for bit, or objects written by
/// one implementation would be looked up in the wrong shard by the other.
public enum Murmur3 {
    public static func hash64<Bytes: Collection>(_ data: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        let bytes = Array(data)
        let c1: UInt64 = 0x87c3_7b91_1142_53d5
        let c2: UInt64 = 0x4cf5_ad43_2745_937f
        var h1: UInt64 = 0
        var h2: UInt64 = 0
        let blockCount = bytes.count / 16

        func block(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
            return value
        }

        for blockIndex in 0..<blockCount {
            var k1 = block(blockIndex * 16)
            var k2 = block(blockIndex * 16 + 8)
            k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
            h1 = rotl(h1, 27); h1 &+= h2; h1 = h1 &* 5 &+ 0x52dc_e729
            k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
            h2 = rotl(h2, 31); h2 &+= h1; h2 = h2 &* 5 &+ 0x3849_5ab5
        }

        let tail = blockCount * 16
        let remaining = bytes.count & 15
        var k1: UInt64 = 0
        var k2: UInt64 = 0
        if remaining > 8 {
            for i in stride(from: remaining - 1, through: 8, by: -1) { k2 ^= UInt64(bytes[tail + i]) << (8 * UInt64(i - 8)) }
            k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
        }
        if remaining > 0 {
            for i in stride(from: min(remaining, 8) - 1, through: 0, by: -1) { k1 ^= UInt64(bytes[tail + i]) << (8 * UInt64(i)) }
            k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
        }

        let length = UInt64(bytes.count)
        h1 ^= length
        h2 ^= length
        h1 &+= h2
        h2 &+= h1
        h1 = fmix(h1)
        h2 = fmix(h2)
        h1 &+= h2
        return h1
    }

    public static func hash64(_ string: String) -> UInt64 { hash64(string.utf8) }

    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) private static func fmix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k &*= 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k &*= 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }
}
