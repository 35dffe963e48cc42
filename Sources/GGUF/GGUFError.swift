import Foundation

/// Everything that can go wrong reading a GGUF file. Each message says what is wrong, where, and what to do;
/// every case is an input error (exit code 2, CONVENTIONS "Interface").
public enum GGUFError: Error, LocalizedError, Equatable, Sendable {
    /// The file could not be opened or is not a regular file.
    case cannotOpen(path: String, reason: String)
    /// The operating system failed a read (I/O error), as opposed to the file being short.
    case readFailed(path: String, offset: Int64, reason: String)
    /// The first four bytes are not `GGUF`.
    case notGGUF(path: String, firstBytes: [UInt8])
    /// GGUF v1 (u32 counts), refused like llama.cpp refuses it (`ggml/src/gguf.cpp`, "GGUFv1 is no longer supported").
    case versionOne(path: String)
    /// A version number neither byte order makes into 2 or 3.
    case unsupportedVersion(path: String, version: UInt32)
    /// The file ends before a field that must be there.
    case truncated(path: String, offset: Int64, reading: String)
    /// A count or length asks for more bytes than the file has left (checked before anything is allocated).
    case countExceedsFile(path: String, offset: Int64, reading: String, count: UInt64, bytesNeeded: String, bytesLeft: Int64)
    /// A field holds a value the format does not allow.
    case malformed(path: String, offset: Int64, reading: String, problem: String)
    /// A tensor's data reaches past the end of the file.
    case tensorDataOutsideFile(path: String, tensor: String, dataStart: Int64, bytes: Int64, fileBytes: Int64)
    /// One shard of a split model (`PREFIX-00002-of-00003.gguf`) is not there.
    case missingShard(path: String, shard: Int, count: Int)
    /// The shards of a split model do not agree with each other or with their names.
    case inconsistentShards(path: String, problem: String)
    /// A file whose metadata says it is one shard of several, opened under a name that does not let us find the others.
    case shardWithoutSiblings(path: String, shard: Int, count: Int)
    /// A required metadata key is absent.
    case missingKey(path: String, key: String)
    /// A metadata key holds a value of another type than the one asked for.
    case wrongValueType(path: String, key: String, expected: String, found: String)
    /// The architecture is not one SpecFit can describe.
    case unsupportedArchitecture(path: String, architecture: String, supported: [String])

    /// Process exit code for every GGUF error: 2, bad input (DESIGN §8).
    public var exitCode: Int32 { 2 }

    public var errorDescription: String? {
        switch self {
        case let .cannotOpen(path, reason):
            return "cannot open \(path): \(reason); check the path and its permissions"
        case let .readFailed(path, offset, reason):
            return "\(name(path)): reading at byte \(grouped(offset)) failed (\(reason)); check the disk or copy the file again"
        case let .notGGUF(path, firstBytes):
            let shown = firstBytes.map { (0x20..<0x7f).contains($0) ? String(UnicodeScalar($0)) : "?" }.joined()
            return "\(name(path)) is not a GGUF file: it starts with '\(shown)' instead of 'GGUF'; give a .gguf model file"
        case let .versionOne(path):
            return "\(name(path)) is GGUF version 1, which llama.cpp and SpecFit no longer read; convert it again with a current llama.cpp (convert_hf_to_gguf.py) or download a newer file"
        case let .unsupportedVersion(path, version):
            return "\(name(path)) has GGUF version \(version) (0x\(String(version, radix: 16))) in either byte order; SpecFit reads versions 2 and 3 — the file is damaged or from a newer format, download it again"
        case let .truncated(path, offset, reading):
            return "\(name(path)) is truncated: at byte \(grouped(offset)) reading \(reading); download it again"
        case let .countExceedsFile(path, offset, reading, count, bytesNeeded, bytesLeft):
            return "\(name(path)) is damaged or truncated: at byte \(grouped(offset)), \(reading) claims a count of \(grouped(count)), which needs \(bytesNeeded), but only \(grouped(bytesLeft)) bytes are left; download it again"
        case let .malformed(path, offset, reading, problem):
            return "\(name(path)) is damaged: at byte \(grouped(offset)) reading \(reading): \(problem); download it again or convert it with a current llama.cpp"
        case let .tensorDataOutsideFile(path, tensor, dataStart, bytes, fileBytes):
            return "\(name(path)) ends at byte \(grouped(fileBytes)) but tensor `\(tensor)` needs \(grouped(bytes)) bytes from offset \(grouped(dataStart)): the file is truncated; download it again"
        case let .missingShard(path, shard, count):
            return "shard \(shard) of \(count) is missing: \(path) does not exist; download every part of the split model into the same folder"
        case let .inconsistentShards(path, problem):
            return "the shards of \(name(path)) do not fit together: \(problem); download every part of the split model again"
        case let .shardWithoutSiblings(path, shard, count):
            return "\(name(path)) is shard \(shard) of \(count) of a split model, but its name does not follow gguf-split's PREFIX-%05d-of-%05d.gguf, so the other shards cannot be found; rename the shards (e.g. model-00001-of-\(String(format: "%05d", count)).gguf) or merge them with llama-gguf-split --merge"
        case let .missingKey(path, key):
            return "\(name(path)) has no metadata key `\(key)`; the file was not made by a llama.cpp converter or is incomplete — convert it again with a current llama.cpp"
        case let .wrongValueType(path, key, expected, found):
            return "\(name(path)): metadata key `\(key)` holds \(found) where \(expected) is expected; convert the model again with a current llama.cpp"
        case let .unsupportedArchitecture(path, architecture, supported):
            return "\(name(path)) has architecture '\(architecture)', which SpecFit cannot describe yet; supported: \(supported.joined(separator: ", ")) — use a catalog id instead, or add the model with `specfit catalog add`"
        }
    }

    private func name(_ path: String) -> String { (path as NSString).lastPathComponent }
}

/// Groups digits by three with spaces ("1 024"), the way the messages print byte offsets.
func grouped<T: BinaryInteger>(_ n: T) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(" ") }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}
