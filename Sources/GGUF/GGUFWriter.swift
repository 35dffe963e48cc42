import Foundation
import SpecFitCore

/// Writes GGUF files for tests and fixtures: chosen metadata (every value type, arrays of strings, nested
/// arrays), tensors of chosen shapes and types, little- or big-endian, any power-of-two alignment — with the
/// tensor data filled with a pattern, or left as a hole (a sparse file whose data is never written, so a
/// "40 GB" model occupies only its header on disk).
public struct GGUFWriter: Sendable {
    public enum WriterError: Error, LocalizedError, Equatable {
        case lazyArray(key: String)
        case elementTypeMismatch(key: String, expected: GGUFValueType, found: GGUFValueType)
        case cannotCreate(path: String)

        public var errorDescription: String? {
            switch self {
            case let .lazyArray(key): "array `\(key)` was not loaded; load it with GGUFModel.array(_:) before writing it"
            case let .elementTypeMismatch(key, expected, found): "array `\(key)` is declared \(expected.name) but holds a \(found.name)"
            case let .cannotCreate(path): "cannot create \(path)"
            }
        }
    }

    /// How tensor data is written.
    public enum TensorData: Sendable {
        /// Every data byte written: byte `i` of the data section is `i % 251`.
        case pattern
        /// Only the header is written; the file is extended to its full size with a hole.
        case sparse
    }

    public struct Tensor: Sendable, Equatable {
        public var name: String
        public var shape: [Int64]
        public var typeID: Int32
        /// Bytes of data (`ggml_nbytes`); for a type id SpecFit does not know, whatever the test chooses.
        public var bytes: Int64
        /// Offset in the data section.
        public var offset: Int64
    }

    public var version: UInt32
    public var bigEndian: Bool
    public var alignment: Int
    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    public private(set) var tensors: [Tensor] = []

    /// - Parameters:
    ///   - alignment: written as `general.alignment` (u32) when not 32.
    ///   - version: the header version (2 and 3 share one layout).
    public init(bigEndian: Bool = false, alignment: Int = 32, version: UInt32 = 3) {
        self.bigEndian = bigEndian; self.alignment = alignment; self.version = version
        if alignment != 32 { metadata.append((key: "general.alignment", value: .uint32(UInt32(alignment)))) }
    }

    public mutating func add(_ key: String, _ value: GGUFValue) { metadata.append((key: key, value: value)) }
    public mutating func add(_ key: String, _ value: String) { add(key, .string(value)) }

    /// Adds a tensor of a known type; its bytes follow from the shape (`ggml_nbytes`).
    public mutating func addTensor(_ name: String, shape: [Int64], type: GGMLType) {
        addTensor(name, shape: shape, typeID: Int32(type.rawValue), bytes: type.tensorBytes(shape))
    }

    /// Adds a tensor with any type id (e.g. one SpecFit does not know) and a chosen data size.
    public mutating func addTensor(_ name: String, shape: [Int64], typeID: Int32, bytes: Int64) {
        let a = Int64(alignment)
        let offset = tensors.last.map { ($0.offset + $0.bytes + a - 1) / a * a } ?? 0
        tensors.append(Tensor(name: name, shape: shape, typeID: typeID, bytes: bytes, offset: offset))
    }

    /// Everything before the tensor data: header, metadata, tensor infos and the padding.
    public func headerBytes() throws -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8)
        put(version, &out)
        put(UInt64(tensors.count), &out)
        put(UInt64(metadata.count), &out)
        for (key, value) in metadata {
            putString(key, &out)
            put(value.type.rawValue, &out)
            try putValue(value, key: key, &out)
        }
        for t in tensors {
            putString(t.name, &out)
            put(UInt32(t.shape.count), &out)
            for ne in t.shape { put(UInt64(bitPattern: ne), &out) }
            put(UInt32(bitPattern: t.typeID), &out)
            put(UInt64(t.offset), &out)
        }
        let padded = (out.count + alignment - 1) / alignment * alignment
        out += [UInt8](repeating: 0, count: padded - out.count)
        return out
    }

    /// Bytes of the data section: the last tensor's end padded to the alignment (gguf.cpp pads every tensor).
    public var dataBytes: Int64 {
        let a = Int64(alignment)
        return tensors.last.map { ($0.offset + $0.bytes + a - 1) / a * a } ?? 0
    }

    /// The whole file in memory (data as ``TensorData/pattern``); for small test files.
    public func bytes() throws -> [UInt8] {
        let header = try headerBytes()
        return header + (0..<Int(dataBytes)).map { UInt8($0 % 251) }
    }

    /// Writes the file; returns its size in bytes.
    @discardableResult
    public func write(to path: String, data: TensorData = .pattern) throws -> Int64 {
        let header = try headerBytes()
        let total = Int64(header.count) + dataBytes
        guard FileManager.default.createFile(atPath: path, contents: Data(header)) else { throw WriterError.cannotCreate(path: path) }
        let fh = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? fh.close() }
        switch data {
        case .sparse:
            try fh.truncate(atOffset: UInt64(total))
        case .pattern:
            try fh.seekToEnd()
            var written: Int64 = 0
            let chunk = 1 << 20
            while written < dataBytes {
                let n = Int(min(Int64(chunk), dataBytes - written))
                let base = written
                try fh.write(contentsOf: Data((0..<n).map { UInt8((base + Int64($0)) % 251) }))
                written += Int64(n)
            }
        }
        return total
    }

    // MARK: Encoding

    private func put<T: FixedWidthInteger>(_ v: T, _ out: inout [UInt8]) {
        let e = bigEndian ? v.bigEndian : v.littleEndian
        withUnsafeBytes(of: e) { out += $0 }
    }

    private func putString(_ s: String, _ out: inout [UInt8]) {
        let utf8 = Array(s.utf8)
        put(UInt64(utf8.count), &out)
        out += utf8
    }

    private func putValue(_ value: GGUFValue, key: String, _ out: inout [UInt8]) throws {
        switch value {
        case let .uint8(v): put(v, &out)
        case let .int8(v): put(v, &out)
        case let .uint16(v): put(v, &out)
        case let .int16(v): put(v, &out)
        case let .uint32(v): put(v, &out)
        case let .int32(v): put(v, &out)
        case let .float32(v): put(v.bitPattern, &out)
        case let .bool(v): put(UInt8(v ? 1 : 0), &out)
        case let .string(s): putString(s, &out)
        case let .uint64(v): put(v, &out)
        case let .int64(v): put(v, &out)
        case let .float64(v): put(v.bitPattern, &out)
        case let .array(a):
            guard case let .loaded(elements) = a.storage else { throw WriterError.lazyArray(key: key) }
            put(a.elementType.rawValue, &out)
            put(UInt64(elements.count), &out)
            for e in elements {
                guard e.type == a.elementType else {
                    throw WriterError.elementTypeMismatch(key: key, expected: a.elementType, found: e.type)
                }
                try putValue(e, key: key, &out)
            }
        }
    }
}
