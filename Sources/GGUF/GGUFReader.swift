import Foundation
import SpecFitCore

/// One GGUF file's header: version, byte order, metadata, tensor infos and where the data starts.
///
/// Layout (llama.cpp `ggml/include/gguf.h:1-46`, ggml `docs/gguf.md`, memory-model.md §1.3): magic `GGUF`,
/// u32 version, u64 n_tensors, u64 n_kv, the key/value pairs, the tensor infos, zero padding to the alignment,
/// then the tensor data. Only the header is read; tensor data is never touched.
public struct GGUFShard: Sendable {
    public var source: GGUFSource
    public var path: String { source.displayPath }
    public var version: UInt32
    public var isBigEndian: Bool
    /// `general.alignment`, or 32 (`GGUF_DEFAULT_ALIGNMENT`).
    public var alignment: Int
    /// Absolute offset of the tensor data section: the end of the tensor infos padded to the alignment.
    public var dataOffset: Int64
    public var fileBytes: Int64
    /// Keys in file order, and their values.
    public var metadataKeys: [String]
    public var metadata: [String: GGUFValue]
    public var tensors: [GGUFTensorInfo]
    /// Bytes fetched from the file while parsing.
    public var bytesRead: Int64
    public var warnings: [GGUFWarning]
}

/// Parses GGUF headers, hardened against damaged and hostile files: every count and length is checked against
/// the bytes left in the file before anything is allocated, arrays nest at most ``maxArrayDepth`` deep, and
/// long arrays are skipped and recorded as lazy references.
enum GGUFParser {
    /// Arrays up to this many elements are read with the header; longer ones (token lists, merges, scores)
    /// are skipped and read only when asked.
    static let eagerArrayLimit = 1024
    /// `GGUF_MAX_STRING_LENGTH` and `GGUF_MAX_ARRAY_ELEMENTS` (llama.cpp `ggml/src/gguf.cpp`: 1 GiB each).
    static let maxStringLength: UInt64 = 1 << 30
    static let maxArrayElements: UInt64 = 1 << 30
    /// Nesting depth allowed for arrays of arrays (the spec allows nesting; llama.cpp itself refuses it).
    static let maxArrayDepth = 8
    /// Longest key the spec allows (docs/gguf.md: "at most 2^16-1 bytes").
    static let maxKeyLength: UInt64 = 65_535
    /// Longest tensor name the spec allows (docs/gguf.md: "at most 64 bytes").
    static let maxTensorNameLength: UInt64 = 64
    /// Fewest bytes a tensor info can take: name length (8), n_dims (4), type (4), offset (8).
    static let minTensorInfoSize: UInt64 = 24
    /// Fewest bytes a key/value pair can take: key length (8), one key byte, value type (4), one value byte.
    static let minKVSize: UInt64 = 14

    static func parse(_ source: GGUFSource, shard: Int = 0) throws(GGUFError) -> GGUFShard {
        let handle = try SourceHandle(source)
        var r = ByteReader(handle)
        let path = source.displayPath

        // Magic and version: the magic is the same four bytes in both byte orders; the version tells the order.
        guard handle.size >= 4 else {
            throw .truncated(path: path, offset: 0, reading: "the magic number 'GGUF' (the file has \(handle.size) bytes)")
        }
        let magic = try r.rawBytes(4, "the magic number 'GGUF'")
        guard magic == Array("GGUF".utf8) else { throw .notGGUF(path: path, firstBytes: magic) }
        let raw = try r.u32("the format version")
        let swapped = raw.byteSwapped
        let version: UInt32
        if raw == 2 || raw == 3 {
            version = raw
        } else if swapped == 2 || swapped == 3 {
            version = swapped
            r.bigEndian = true
        } else if raw == 1 || swapped == 1 {
            throw .versionOne(path: path)
        } else {
            throw .unsupportedVersion(path: path, version: raw)
        }

        let nTensors = try r.u64("the tensor count")
        let nKV = try r.u64("the metadata key/value count")
        let afterCounts = r.position
        try checkCount(nTensors, minSize: minTensorInfoSize, &r, at: afterCounts - 16, "the tensor count")
        try checkCount(nKV, minSize: minKVSize, &r, at: afterCounts - 8, "the metadata key/value count")
        // Each count fits on its own (checked above), so these products cannot overflow.
        if nTensors * minTensorInfoSize + nKV * minKVSize > UInt64(r.remaining) {
            throw .countExceedsFile(path: path, offset: afterCounts - 16, reading: "the header (tensor count + key/value count)",
                                    count: nTensors + nKV, bytesNeeded: "at least \(grouped(nTensors * minTensorInfoSize + nKV * minKVSize)) bytes",
                                    bytesLeft: r.remaining)
        }

        // Key/value pairs.
        var keys: [String] = []
        var metadata: [String: GGUFValue] = [:]
        keys.reserveCapacity(Int(nKV))
        for i in 0..<Int(nKV) {
            let keyStart = r.position
            let keyLen = try r.u64("the length of key \(i + 1) of \(nKV)")
            if keyLen == 0 {
                throw .malformed(path: path, offset: keyStart, reading: "key \(i + 1) of \(nKV)", problem: "the key is empty")
            }
            if keyLen > maxKeyLength {
                throw .malformed(path: path, offset: keyStart, reading: "key \(i + 1) of \(nKV)",
                                 problem: "the key is \(grouped(keyLen)) bytes long; GGUF keys are at most \(grouped(maxKeyLength))")
            }
            let key = try r.string(length: Int(keyLen), "key \(i + 1) of \(nKV)")
            if metadata[key] != nil {
                throw .malformed(path: path, offset: keyStart, reading: "key \(i + 1) of \(nKV)", problem: "key `\(key)` appears twice")
            }
            let typeAt = r.position
            let typeID = try r.u32("the value type of key `\(key)`")
            guard let type = GGUFValueType(rawValue: typeID) else {
                throw .malformed(path: path, offset: typeAt, reading: "the value type of key `\(key)`",
                                 problem: "value type \(typeID) is not a GGUF type (0–12)")
            }
            let value = try readValue(type, &r, key: key, depth: 0)
            keys.append(key)
            metadata[key] = value
        }

        // general.alignment: a power of two (gguf.cpp refuses anything else), default 32.
        var alignment = 32
        if let a = metadata["general.alignment"] {
            guard let v = a.intValue, v > 0, v & (v - 1) == 0, v <= 1 << 30 else {
                throw .malformed(path: path, offset: afterCounts, reading: "key `general.alignment`",
                                 problem: "the alignment is \(a.intValue.map { String($0) } ?? a.typeDescription), not a power of two")
            }
            alignment = v
        }

        // Tensor infos.
        var tensors: [GGUFTensorInfo] = []
        var warnings: [GGUFWarning] = []
        var names = Set<String>()
        tensors.reserveCapacity(Int(nTensors))
        let n = nTensors
        for i in 0..<Int(nTensors) {
            let at = r.position
            let nameLen = try r.u64("the name length of tensor \(i + 1) of \(n)")
            if nameLen > maxTensorNameLength {
                throw .malformed(path: path, offset: at, reading: "the name of tensor \(i + 1) of \(n)",
                                 problem: "the name is \(grouped(nameLen)) bytes long; GGUF tensor names are at most \(maxTensorNameLength)")
            }
            let name = try r.string(length: Int(nameLen), "the name of tensor \(i + 1) of \(n)")
            if !names.insert(name).inserted {
                throw .malformed(path: path, offset: at, reading: "tensor \(i + 1) of \(n)", problem: "tensor name `\(name)` appears twice")
            }
            let dimsAt = r.position
            let nDims = try r.u32("the dimension count of tensor `\(name)` (\(i + 1) of \(n))")
            guard (1...4).contains(nDims) else {
                throw .malformed(path: path, offset: dimsAt, reading: "tensor `\(name)`",
                                 problem: "it has \(nDims) dimensions; ggml allows 1 to 4")
            }
            var shape: [Int64] = []
            var elements: Int64 = 1
            for d in 0..<Int(nDims) {
                let neAt = r.position
                let ne = Int64(bitPattern: try r.u64("dimension \(d) of tensor `\(name)` (\(i + 1) of \(n))"))
                guard ne >= 0 else {
                    throw .malformed(path: path, offset: neAt, reading: "tensor `\(name)`", problem: "dimension \(d) is negative (\(ne))")
                }
                let (p, overflow) = elements.multipliedReportingOverflow(by: ne)
                guard !overflow else {
                    throw .malformed(path: path, offset: neAt, reading: "tensor `\(name)`",
                                     problem: "its element count does not fit in 64 bits")
                }
                elements = p
                shape.append(ne)
            }
            let typeAt = r.position
            let typeID = Int32(bitPattern: try r.u32("the type of tensor `\(name)` (\(i + 1) of \(n))"))
            let type = GGMLType(rawValue: Int(typeID))
            if type == nil { warnings.append(.unknownTensorType(path: path, tensor: name, typeID: typeID)) }
            if let type, shape[0] % Int64(type.blockSize) != 0 {
                throw .malformed(path: path, offset: typeAt, reading: "tensor `\(name)`",
                                 problem: "its rows have \(shape[0]) elements, not a multiple of the \(type.name) block size \(type.blockSize)")
            }
            let offAt = r.position
            let rawOffset = try r.u64("the data offset of tensor `\(name)` (\(i + 1) of \(n))")
            guard rawOffset <= UInt64(Int64.max), rawOffset % UInt64(alignment) == 0 else {
                throw .malformed(path: path, offset: offAt, reading: "tensor `\(name)`",
                                 problem: "its data offset \(grouped(rawOffset)) is not a multiple of the alignment \(alignment)")
            }
            tensors.append(GGUFTensorInfo(name: name, shape: shape, typeID: typeID, type: type,
                                          offset: Int64(rawOffset), shard: shard, fileOffset: 0))
        }

        // Data section: the end of the tensor infos padded to the alignment.
        let infoEnd = r.position
        let dataOffset = (infoEnd + Int64(alignment) - 1) / Int64(alignment) * Int64(alignment)
        if nTensors > 0 && dataOffset > handle.size {
            throw .truncated(path: path, offset: handle.size, reading: "the padding before the tensor data (it should end at byte \(grouped(dataOffset)))")
        }
        var paddedTotal: Int64 = 0
        for i in tensors.indices {
            let (start, o1) = dataOffset.addingReportingOverflow(tensors[i].offset)
            tensors[i].fileOffset = start
            var bytes: Int64 = 0
            if let t = tensors[i].type {
                guard let b = checkedBytes(t, tensors[i].shape) else {
                    throw .malformed(path: path, offset: infoEnd, reading: "tensor `\(tensors[i].name)`",
                                     problem: "its size in bytes does not fit in 64 bits")
                }
                bytes = b
            }
            let (end, o2) = start.addingReportingOverflow(bytes)
            if o1 || o2 || end > handle.size {
                throw .tensorDataOutsideFile(path: path, tensor: tensors[i].name, dataStart: start, bytes: bytes, fileBytes: handle.size)
            }
            // Tensors may overlap (the format does not forbid it), so their sizes can add up past the file; keep every
            // total SpecFit computes representable.
            let padded = (bytes + Int64(alignment) - 1) / Int64(alignment) * Int64(alignment)
            let (sum, o3) = paddedTotal.addingReportingOverflow(padded)
            if o3 {
                throw .malformed(path: path, offset: infoEnd, reading: "tensor `\(tensors[i].name)`",
                                 problem: "the tensor sizes add up to more than 2^63 bytes")
            }
            paddedTotal = sum
        }

        return GGUFShard(source: source, version: version, isBigEndian: r.bigEndian, alignment: alignment, dataOffset: dataOffset,
                         fileBytes: handle.size, metadataKeys: keys, metadata: metadata, tensors: tensors,
                         bytesRead: r.bytesRead, warnings: warnings)
    }

    /// `ggml_nbytes` computed in the order ``GGMLType/tensorBytes(_:)`` uses, or nil when a step overflows.
    static func checkedBytes(_ t: GGMLType, _ shape: [Int64]) -> Int64? {
        let (scaled, o1) = Int64(t.bytesPerBlock).multipliedReportingOverflow(by: shape[0])
        if o1 { return nil }
        var bytes = scaled / Int64(t.blockSize)
        for ne in shape.dropFirst() {
            let (p, o) = bytes.multipliedReportingOverflow(by: ne)
            if o { return nil }
            bytes = p
        }
        return bytes
    }

    /// Refuses a count whose elements cannot fit in the bytes left (each takes at least `minSize` bytes).
    static func checkCount(_ count: UInt64, minSize: UInt64, _ r: inout ByteReader, at offset: Int64, _ what: String) throws(GGUFError) {
        let (need, overflow) = count.multipliedReportingOverflow(by: minSize)
        if overflow || need > UInt64(r.remaining) {
            throw .countExceedsFile(path: r.path, offset: offset, reading: what, count: count,
                                    bytesNeeded: overflow ? "more than 2^64 bytes" : "at least \(grouped(need)) bytes", bytesLeft: r.remaining)
        }
    }

    /// Reads one value of `type`; long arrays are skipped and returned as lazy references.
    static func readValue(_ type: GGUFValueType, _ r: inout ByteReader, key: String, depth: Int) throws(GGUFError) -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try r.u8("the value of `\(key)`"))
        case .int8: return .int8(Int8(bitPattern: try r.u8("the value of `\(key)`")))
        case .uint16: return .uint16(try r.u16("the value of `\(key)`"))
        case .int16: return .int16(Int16(bitPattern: try r.u16("the value of `\(key)`")))
        case .uint32: return .uint32(try r.u32("the value of `\(key)`"))
        case .int32: return .int32(Int32(bitPattern: try r.u32("the value of `\(key)`")))
        case .float32: return .float32(Float(bitPattern: try r.u32("the value of `\(key)`")))
        case .bool: return .bool(try r.u8("the value of `\(key)`") != 0)
        case .uint64: return .uint64(try r.u64("the value of `\(key)`"))
        case .int64: return .int64(Int64(bitPattern: try r.u64("the value of `\(key)`")))
        case .float64: return .float64(Double(bitPattern: try r.u64("the value of `\(key)`")))
        case .string: return .string(try readString(&r, key: key))
        case .array:
            if depth >= maxArrayDepth {
                throw .malformed(path: r.path, offset: r.position, reading: "the value of `\(key)`",
                                 problem: "arrays are nested more than \(maxArrayDepth) deep")
            }
            let typeAt = r.position
            let typeID = try r.u32("the element type of array `\(key)`")
            guard let elementType = GGUFValueType(rawValue: typeID) else {
                throw .malformed(path: r.path, offset: typeAt, reading: "the element type of array `\(key)`",
                                 problem: "element type \(typeID) is not a GGUF type (0–12)")
            }
            let countAt = r.position
            let count = try r.u64("the length of array `\(key)`")
            if count > maxArrayElements {
                throw .malformed(path: r.path, offset: countAt, reading: "the length of array `\(key)`",
                                 problem: "it claims \(grouped(count)) elements; GGUF arrays hold at most \(grouped(maxArrayElements))")
            }
            try checkCount(count, minSize: UInt64(elementType.minimumEncodedSize), &r, at: countAt, "array `\(key)` of \(elementType.name)")
            if count <= UInt64(eagerArrayLimit) {
                var elements: [GGUFValue] = []
                elements.reserveCapacity(Int(count))
                for _ in 0..<Int(count) { elements.append(try readValue(elementType, &r, key: key, depth: depth + 1)) }
                return .array(GGUFArray(elementType: elementType, count: Int(count), storage: .loaded(elements)))
            }
            let start = r.position
            try skipValues(elementType, count: count, &r, key: key, depth: depth + 1)
            let lazy = GGUFLazyArray(source: r.handle.source, offset: start, byteLength: r.position - start, isBigEndian: r.bigEndian)
            return .array(GGUFArray(elementType: elementType, count: Int(count), storage: .lazy(lazy)))
        }
    }

    static func readString(_ r: inout ByteReader, key: String) throws(GGUFError) -> String {
        let at = r.position
        let length = try r.u64("the length of a string in `\(key)`")
        try checkStringLength(length, &r, at: at, key: key)
        return try r.string(length: Int(length), "a string of \(grouped(length)) bytes in `\(key)`")
    }

    static func checkStringLength(_ length: UInt64, _ r: inout ByteReader, at: Int64, key: String) throws(GGUFError) {
        if length > maxStringLength {
            throw .malformed(path: r.path, offset: at, reading: "a string in `\(key)`",
                             problem: "its length \(grouped(length)) is over the 1 GiB GGUF limit")
        }
        if length > UInt64(r.remaining) {
            throw .countExceedsFile(path: r.path, offset: at, reading: "a string in `\(key)`", count: length,
                                    bytesNeeded: "\(grouped(length)) bytes", bytesLeft: r.remaining)
        }
    }

    /// Walks past `count` values of `type`, checking every length, without keeping them.
    static func skipValues(_ type: GGUFValueType, count: UInt64, _ r: inout ByteReader, key: String, depth: Int) throws(GGUFError) {
        if let size = type.fixedSize {
            try r.skip(Int64(count) * Int64(size), "the \(grouped(count)) elements of array `\(key)`")
            return
        }
        for i in 0..<count {
            if type == .string {
                let at = r.position
                let length = try r.u64("the length of string \(i) of array `\(key)`")
                try checkStringLength(length, &r, at: at, key: key)
                try r.skip(Int64(length), "string \(i) of array `\(key)`")
            } else {
                if depth >= maxArrayDepth {
                    throw .malformed(path: r.path, offset: r.position, reading: "array `\(key)`",
                                     problem: "arrays are nested more than \(maxArrayDepth) deep")
                }
                let typeAt = r.position
                let typeID = try r.u32("the element type of a nested array in `\(key)`")
                guard let inner = GGUFValueType(rawValue: typeID) else {
                    throw .malformed(path: r.path, offset: typeAt, reading: "a nested array in `\(key)`",
                                     problem: "element type \(typeID) is not a GGUF type (0–12)")
                }
                let countAt = r.position
                let n = try r.u64("the length of a nested array in `\(key)`")
                if n > maxArrayElements {
                    throw .malformed(path: r.path, offset: countAt, reading: "a nested array in `\(key)`",
                                     problem: "it claims \(grouped(n)) elements; GGUF arrays hold at most \(grouped(maxArrayElements))")
                }
                try checkCount(n, minSize: UInt64(inner.minimumEncodedSize), &r, at: countAt, "a nested array of \(inner.name) in `\(key)`")
                try skipValues(inner, count: n, &r, key: key, depth: depth + 1)
            }
        }
    }

    /// Reads a lazy array's elements.
    static func load(_ lazy: GGUFLazyArray, elementType: GGUFValueType, count: Int, key: String) throws(GGUFError) -> [GGUFValue] {
        let handle = try SourceHandle(lazy.source)
        var r = ByteReader(handle, at: lazy.offset)
        r.bigEndian = lazy.isBigEndian
        var out: [GGUFValue] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try readValue(elementType, &r, key: key, depth: 1)) }
        return out
    }

    /// Reads a lazy array of strings straight into `[String]`.
    static func loadStrings(_ lazy: GGUFLazyArray, count: Int, key: String) throws(GGUFError) -> [String] {
        let handle = try SourceHandle(lazy.source)
        var r = ByteReader(handle, at: lazy.offset)
        r.bigEndian = lazy.isBigEndian
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try readString(&r, key: key)) }
        return out
    }
}
