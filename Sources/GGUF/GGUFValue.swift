import Foundation

/// A metadata value type id (`enum gguf_type`, llama.cpp `ggml/include/gguf.h:53-67`, ggml `docs/gguf.md`).
public enum GGUFValueType: UInt32, Sendable, CaseIterable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Name as gguf.cpp's `GGUF_TYPE_NAME` prints it ("u32", "str", "arr").
    public var name: String {
        switch self {
        case .uint8: "u8"; case .int8: "i8"; case .uint16: "u16"; case .int16: "i16"
        case .uint32: "u32"; case .int32: "i32"; case .float32: "f32"; case .bool: "bool"
        case .string: "str"; case .array: "arr"; case .uint64: "u64"; case .int64: "i64"; case .float64: "f64"
        }
    }

    /// Bytes of one value of a fixed-size type; nil for strings and arrays.
    public var fixedSize: Int? {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        case .string, .array: nil
        }
    }

    /// The fewest bytes one value can take in a file: a string is at least its u64 length, an array at least
    /// its element type (u32) and count (u64). Used to refuse counts the file cannot hold before allocating.
    var minimumEncodedSize: Int { fixedSize ?? (self == .string ? 8 : 12) }
}

/// One metadata value. Arrays hold their elements, or — when long, like `tokenizer.ggml.tokens` — only where they
/// are in the file (``GGUFArray/Storage/lazy(_:)``), to be read when asked.
public indirect enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case float32(Float), bool(Bool), string(String), uint64(UInt64), int64(Int64), float64(Double)
    case array(GGUFArray)

    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8; case .int8: .int8; case .uint16: .uint16; case .int16: .int16
        case .uint32: .uint32; case .int32: .int32; case .float32: .float32; case .bool: .bool
        case .string: .string; case .uint64: .uint64; case .int64: .int64; case .float64: .float64
        case .array: .array
        }
    }

    /// The value as an `Int` when it is an integer scalar that fits; nil otherwise.
    public var intValue: Int? {
        switch self {
        case let .uint8(v): Int(v); case let .int8(v): Int(v); case let .uint16(v): Int(v); case let .int16(v): Int(v)
        case let .uint32(v): Int(v); case let .int32(v): Int(v); case let .int64(v): Int(v)
        case let .uint64(v): v <= UInt64(Int.max) ? Int(v) : nil
        default: nil
        }
    }

    /// The value as a `Double` when it is a number (integer or float).
    public var doubleValue: Double? {
        switch self {
        case let .float32(v): Double(v)
        case let .float64(v): v
        default: intValue.map(Double.init)
        }
    }

    public var stringValue: String? { if case let .string(s) = self { s } else { nil } }
    public var boolValue: Bool? { if case let .bool(b) = self { b } else { nil } }
    public var arrayValue: GGUFArray? { if case let .array(a) = self { a } else { nil } }

    /// Short description for messages: the type, and for arrays the element type and count ("arr[str, 262144]").
    public var typeDescription: String {
        if case let .array(a) = self { return "arr[\(a.elementType.name), \(a.count)]" }
        return type.name
    }

    /// An array value of `elements`, all of `elementType` (the writer checks they match).
    public static func array(_ elementType: GGUFValueType, _ elements: [GGUFValue]) -> GGUFValue {
        .array(GGUFArray(elementType: elementType, count: elements.count, storage: .loaded(elements)))
    }

    /// An array of strings.
    public static func strings(_ values: [String]) -> GGUFValue { .array(.string, values.map(GGUFValue.string)) }
}

/// An array value: its element type, its length and its elements or where they lie in the file.
public struct GGUFArray: Sendable, Equatable {
    public enum Storage: Sendable, Equatable {
        case loaded([GGUFValue])
        case lazy(GGUFLazyArray)
    }

    public var elementType: GGUFValueType
    public var count: Int
    public var storage: Storage

    public init(elementType: GGUFValueType, count: Int, storage: Storage) {
        self.elementType = elementType; self.count = count; self.storage = storage
    }

    /// The elements when they were read with the header; nil for a lazy array.
    public var loadedElements: [GGUFValue]? { if case let .loaded(v) = storage { v } else { nil } }
    public var isLazy: Bool { if case .lazy = storage { true } else { false } }
}

/// Where a long array's elements lie in a file, so they can be read on demand without keeping them in memory.
public struct GGUFLazyArray: Sendable, Equatable {
    /// The file (or bytes) the array is in.
    public var source: GGUFSource
    /// Absolute offset of the first element (just after the element type and count).
    public var offset: Int64
    /// Bytes the elements take.
    public var byteLength: Int64
    public var isBigEndian: Bool
}

/// Where a GGUF's bytes come from: a file on disk (read with `pread`), or bytes in memory (tests, fuzzing).
public enum GGUFSource: Sendable, Equatable {
    case file(path: String)
    case memory(name: String, bytes: [UInt8])

    /// The path or name shown in messages.
    public var displayPath: String {
        switch self {
        case let .file(path): path
        case let .memory(name, _): name
        }
    }

    public static func == (a: GGUFSource, b: GGUFSource) -> Bool {
        switch (a, b) {
        case let (.file(p), .file(q)): p == q
        case let (.memory(n, x), .memory(m, y)): n == m && x.count == y.count
        default: false
        }
    }
}
