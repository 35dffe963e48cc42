import Foundation
import SpecFitCore

/// A GGUF model: one file, or every shard of a split model (`PREFIX-00001-of-00003.gguf` …) merged into one view.
///
/// Only headers are read. Long metadata arrays (token lists, merges, scores) are skipped while parsing and read
/// on demand through ``stringArray(_:)`` / ``array(_:)``.
public struct GGUFModel: Sendable {
    /// The path as given to ``open(path:)``.
    public var path: String
    /// Each file's header, first shard first.
    public var shards: [GGUFShard]
    /// Metadata keys in file order (the first shard's, then keys only later shards have).
    public var metadataKeys: [String]
    public var metadata: [String: GGUFValue]
    /// Every tensor of every shard, in file order.
    public var tensors: [GGUFTensorInfo]
    /// Things that did not stop the read (unknown tensor types …).
    public var warnings: [GGUFWarning]

    /// The first shard's version (2 or 3).
    public var version: UInt32 { shards[0].version }
    public var isBigEndian: Bool { shards[0].isBigEndian }
    /// The first shard's alignment (`general.alignment`, default 32).
    public var alignment: Int { shards[0].alignment }
    /// The first shard's data-section offset.
    public var dataOffset: Int64 { shards[0].dataOffset }
    /// Bytes of all shards together.
    public var fileBytes: Int64 { shards.reduce(0) { $0 + $1.fileBytes } }
    public var shardPaths: [String] { shards.map(\.path) }
    /// Bytes fetched from disk while parsing every shard's header.
    public var bytesRead: Int64 { shards.reduce(0) { $0 + $1.bytesRead } }

    // MARK: Opening

    /// Reads the header of a GGUF file; a name like `…-00001-of-00003.gguf` (any shard of it) opens every shard.
    public static func open(path: String) throws(GGUFError) -> GGUFModel {
        if let split = SplitName(path: path), split.count > 1 {
            guard FileManager.default.fileExists(atPath: path) else {
                throw .cannotOpen(path: path, reason: "no such file")
            }
            for n in 1...split.count where !FileManager.default.fileExists(atPath: split.path(ofShard: n)) {
                throw .missingShard(path: split.path(ofShard: n), shard: n, count: split.count)
            }
            var shards: [GGUFShard] = []
            for n in 1...split.count { shards.append(try GGUFParser.parse(.file(path: split.path(ofShard: n)), shard: n - 1)) }
            return try merge(shards, path: path, namedCount: split.count)
        }
        let shard = try GGUFParser.parse(.file(path: path))
        if let count = shard.metadata[SplitName.keyCount]?.intValue, count > 1 {
            let no = shard.metadata[SplitName.keyNumber]?.intValue ?? 0
            throw .shardWithoutSiblings(path: path, shard: no + 1, count: count)
        }
        return try merge([shard], path: path, namedCount: 1)
    }

    /// Parses a GGUF held in memory (tests, fuzzing); `name` stands for the path in messages.
    public static func parse(bytes: [UInt8], name: String = "memory.gguf") throws(GGUFError) -> GGUFModel {
        try merge([try GGUFParser.parse(.memory(name: name, bytes: bytes))], path: name, namedCount: 1)
    }

    /// Joins shards, checking their `split.*` keys against each other and their names.
    static func merge(_ shards: [GGUFShard], path: String, namedCount: Int) throws(GGUFError) -> GGUFModel {
        var keys = shards[0].metadataKeys
        var metadata = shards[0].metadata
        var tensors: [GGUFTensorInfo] = []
        var warnings: [GGUFWarning] = []
        var names = Set<String>()
        for (i, shard) in shards.enumerated() {
            if shards.count > 1 {
                if let no = shard.metadata[SplitName.keyNumber]?.intValue, no != i {
                    throw .inconsistentShards(path: shard.path, problem: "\((shard.path as NSString).lastPathComponent) says it is shard \(no + 1) (split.no \(no)) but its name makes it shard \(i + 1)")
                }
                if let count = shard.metadata[SplitName.keyCount]?.intValue, count != namedCount {
                    throw .inconsistentShards(path: shard.path, problem: "\((shard.path as NSString).lastPathComponent) says the model has \(count) shards (split.count) but its name says \(namedCount)")
                }
            }
            for key in shard.metadataKeys where metadata[key] == nil {
                keys.append(key)
                metadata[key] = shard.metadata[key]
            }
            for t in shard.tensors {
                if !names.insert(t.name).inserted {
                    throw .inconsistentShards(path: shard.path, problem: "tensor `\(t.name)` is in more than one shard")
                }
                tensors.append(t)
            }
            warnings += shard.warnings
        }
        // Each shard's padded tensor bytes fit in 63 bits (GGUFParser checks); keep their sum representable too.
        var total: Int64 = 0
        for shard in shards {
            let a = Int64(shard.alignment)
            let sum = shard.tensors.reduce(Int64(0)) { $0 + (($1.bytes ?? 0) + a - 1) / a * a }
            let (t, overflow) = total.addingReportingOverflow(sum)
            if overflow { throw .inconsistentShards(path: path, problem: "the shards' tensor sizes add up to more than 2^63 bytes") }
            total = t
        }
        if shards.count > 1, let expected = shards[0].metadata[SplitName.keyTensorCount]?.intValue, expected != tensors.count {
            throw .inconsistentShards(path: path, problem: "the first shard announces \(expected) tensors (split.tensors.count) but the shards hold \(tensors.count)")
        }
        return GGUFModel(path: path, shards: shards, metadataKeys: keys, metadata: metadata, tensors: tensors, warnings: warnings)
    }

    // MARK: Metadata

    public func value(_ key: String) -> GGUFValue? { metadata[key] }
    public func stringValue(_ key: String) -> String? { metadata[key]?.stringValue }
    public func boolValue(_ key: String) -> Bool? { metadata[key]?.boolValue }

    /// An integer key that may be a scalar or a per-layer array (e.g. `{arch}.attention.head_count_kv`):
    /// the scalar, or the array's largest element. Nil when absent or not integers.
    public func intValue(_ key: String) -> Int? {
        guard let v = metadata[key] else { return nil }
        if let i = v.intValue { return i }
        return (try? intArray(key))?.max()
    }

    /// An integer key as a list: a per-layer array's elements, or a scalar as one element. Nil when absent.
    public func intArray(_ key: String) throws(GGUFError) -> [Int]? {
        guard let v = metadata[key] else { return nil }
        if let i = v.intValue { return [i] }
        guard case .array = v else {
            throw .wrongValueType(path: path, key: key, expected: "an integer or an array of integers", found: v.typeDescription)
        }
        var out: [Int] = []
        for e in try array(key) {
            guard let i = e.intValue else {
                throw .wrongValueType(path: path, key: key, expected: "an array of integers", found: v.typeDescription)
            }
            out.append(i)
        }
        return out
    }

    /// Number of elements of an array key, known without reading a lazy array.
    public func arrayCount(_ key: String) -> Int? { metadata[key]?.arrayValue?.count }

    /// An array key's elements, read from the file now if the array was skipped while parsing.
    public func array(_ key: String) throws(GGUFError) -> [GGUFValue] {
        guard let v = metadata[key] else { throw .missingKey(path: path, key: key) }
        guard case let .array(a) = v else {
            throw .wrongValueType(path: path, key: key, expected: "an array", found: v.typeDescription)
        }
        switch a.storage {
        case let .loaded(values): return values
        case let .lazy(lazy): return try GGUFParser.load(lazy, elementType: a.elementType, count: a.count, key: key)
        }
    }

    /// An array-of-strings key (`tokenizer.ggml.tokens`, `tokenizer.ggml.merges`), read from the file when asked.
    public func stringArray(_ key: String) throws(GGUFError) -> [String] {
        guard let v = metadata[key] else { throw .missingKey(path: path, key: key) }
        guard case let .array(a) = v, a.elementType == .string else {
            throw .wrongValueType(path: path, key: key, expected: "an array of strings", found: v.typeDescription)
        }
        switch a.storage {
        case let .loaded(values): return values.compactMap(\.stringValue)
        case let .lazy(lazy): return try GGUFParser.loadStrings(lazy, count: a.count, key: key)
        }
    }

    // MARK: Tensor bytes

    /// Σ `ggml_nbytes` over tensors of known type.
    public var tensorBytes: Int64 { tensors.reduce(0) { $0 + ($1.bytes ?? 0) } }

    /// Σ of each tensor's bytes padded to its file's alignment, as the data sections lay them out
    /// (llama.cpp `ggml/src/gguf.cpp`: `GGML_PAD(ggml_nbytes, alignment)` per tensor).
    public var paddedTensorBytes: Int64 {
        tensors.reduce(0) { sum, t in
            let a = Int64(shards[t.shard].alignment)
            return sum + ((t.bytes ?? 0) + a - 1) / a * a
        }
    }

    /// Bytes per ggml type, over tensors of known type.
    public var bytesByType: [GGMLType: Int64] {
        var out: [GGMLType: Int64] = [:]
        for t in tensors { if let type = t.type { out[type, default: 0] += t.bytes ?? 0 } }
        return out
    }

    /// Number of tensors per ggml type.
    public var tensorCountByType: [GGMLType: Int] {
        var out: [GGMLType: Int] = [:]
        for t in tensors { if let type = t.type { out[type, default: 0] += 1 } }
        return out
    }
}
