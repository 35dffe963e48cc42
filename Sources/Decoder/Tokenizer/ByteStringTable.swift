// Hash tables the tokenizers look text up in without allocating: byte strings → ids, and id pairs → values.

/// An immutable-after-build map from byte strings to `Int32`, looked up by pointer and length so that a slice of
/// the text being tokenised needs no copy. Open addressing with linear probing; keys live in one byte buffer.
struct ByteStringTable: Sendable {
    /// Every key's bytes, back to back.
    private(set) var keyBytes: [UInt8] = []
    /// (count + 1) start of key i in `keyBytes`; key i ends where key i+1 starts.
    private(set) var keyStarts: [Int32] = [0]
    /// (count) value of key i.
    private(set) var values: [Int32] = []
    /// (capacity, a power of two) the key's hash in the high 32 bits and its index + 1 in the low 32, or 0 for an
    /// empty slot: a probe compares hashes before it touches any key's bytes.
    private var slots: [UInt64]
    private var mask: Int

    var count: Int { values.count }

    init(expectedCount: Int) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity <<= 1 }
        slots = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        keyBytes.reserveCapacity(expectedCount * 8)
        keyStarts.reserveCapacity(expectedCount + 1)
        values.reserveCapacity(expectedCount)
    }

    /// FNV-1a, 64-bit.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x0000_0100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The value stored for the `n` bytes at `p`.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        let (index, _) = find(p, n)
        return index.map { values[$0] }
    }

    func lookup(_ key: [UInt8]) -> Int32? {
        Self.withBytes(key) { lookup($0, $1) }
    }

    /// The key's index, or the empty slot where it would go.
    @inline(__always)
    private func find(_ p: UnsafePointer<UInt8>, _ n: Int) -> (index: Int?, slot: Int) {
        let h = Self.hash(p, n)
        let tag = UInt64(UInt32(truncatingIfNeeded: h >> 32)) << 32
        var slot = h & mask
        return slots.withUnsafeBufferPointer { slots in
            keyBytes.withUnsafeBufferPointer { bytes in
                keyStarts.withUnsafeBufferPointer { starts in
                    while true {
                        let entry = slots[slot]
                        if entry == 0 { return (nil, slot) }
                        if entry & 0xFFFF_FFFF_0000_0000 == tag {
                            let k = Int(entry & 0xFFFF_FFFF)
                            let start = Int(starts[k - 1])
                            if Int(starts[k]) - start == n && Self.equal(bytes, start, p, n) {
                                return (k - 1, slot)
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    /// Whether the `n` bytes of `a` from `offset` equal the `n` bytes at `b`.
    @inline(__always)
    private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ offset: Int, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        for i in 0..<n where a[offset + i] != b[i] { return false }
        return true
    }

    /// Calls `body` with a pointer to `key`'s bytes (a valid pointer even for an empty key) and its length.
    private static func withBytes<R>(_ key: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        key.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { return body(base, buffer.count) }
            var zero: UInt8 = 0
            return withUnsafePointer(to: &zero) { body($0, 0) }
        }
    }

    /// Stores `value` for `key`, replacing the value an equal key had (the later insert wins, as
    /// `token_to_id[word] = i` does in llama.cpp). Returns false when the key was already there.
    @discardableResult
    mutating func insert(_ key: [UInt8], _ value: Int32) -> Bool {
        if (values.count + 1) * 2 > slots.count { grow() }
        let (index, slot) = Self.withBytes(key) { find($0, $1) }
        if let index {
            values[index] = value
            return false
        }
        let h = Self.withBytes(key) { Self.hash($0, $1) }
        keyBytes += key
        keyStarts.append(Int32(keyBytes.count))
        values.append(value)
        slots[slot] = UInt64(UInt32(truncatingIfNeeded: h >> 32)) << 32 | UInt64(values.count)
        return true
    }

    private mutating func grow() {
        let old = slots
        let capacity = slots.count * 2
        slots = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        for entry in old where entry != 0 {
            let k = Int(entry & 0xFFFF_FFFF)
            let start = Int(keyStarts[k - 1])
            let h = Self.withBytes(Array(keyBytes[start..<Int(keyStarts[k])])) { Self.hash($0, $1) }
            var slot = h & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }
}


/// A map from a pair of 32-bit ids to a 64-bit value (BPE merges: (left, right) → (rank, result)).
/// Open addressing with linear probing; immutable after building.
struct MergePairTable: Sendable {
    /// (capacity) packed key, or `UInt64.max` for an empty slot.
    private var keys: [UInt64]
    private var vals: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(expectedCount: Int) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity <<= 1 }
        keys = [UInt64](repeating: .max, count: capacity)
        vals = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    @inline(__always)
    static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    @inline(__always)
    static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 31
        return Int(truncatingIfNeeded: h) & mask
    }

    @inline(__always)
    func lookup(_ a: Int32, _ b: Int32) -> UInt64? {
        let k = Self.key(a, b)
        var slot = Self.slot(k, mask)
        return keys.withUnsafeBufferPointer { keys in
            while true {
                let s = keys[slot]
                if s == k { return vals[slot] }
                if s == .max { return nil }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Stores `value` for (a, b) unless the pair is already there (the first insert wins, as
    /// `bpe_ranks.emplace` does in llama.cpp).
    mutating func insertIfAbsent(_ a: Int32, _ b: Int32, _ value: UInt64) {
        if (count + 1) * 2 > keys.count { grow() }
        let k = Self.key(a, b)
        var slot = Self.slot(k, mask)
        while true {
            if keys[slot] == k { return }
            if keys[slot] == .max { break }
            slot = (slot + 1) & mask
        }
        keys[slot] = k
        vals[slot] = value
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldVals = vals
        let capacity = keys.count * 2
        keys = [UInt64](repeating: .max, count: capacity)
        vals = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        for i in oldKeys.indices where oldKeys[i] != .max {
            var slot = Self.slot(oldKeys[i], mask)
            while keys[slot] != .max { slot = (slot + 1) & mask }
            keys[slot] = oldKeys[i]
            vals[slot] = oldVals[i]
        }
    }
}
