import Foundation

/// llama.cpp's split-file naming, `PREFIX-%05d-of-%05d.gguf` with 1-based shard numbers (`llama_split_path`,
/// llama.cpp `src/llama.cpp`; gguf-split `tools/gguf-split/gguf-split.cpp`; gguf-py `SHARD_NAME_FORMAT`),
/// and the metadata every shard carries: `split.no` (0-based), `split.count`, `split.tensors.count`.
public struct SplitName: Sendable, Equatable {
    /// Everything before `-00001-of-00003.gguf`, directory included.
    public var prefix: String
    /// 1-based shard number in the name.
    public var number: Int
    public var count: Int

    public static let keyNumber = "split.no"
    public static let keyCount = "split.count"
    public static let keyTensorCount = "split.tensors.count"

    /// Parses `…-NNNNN-of-MMMMM.gguf`; nil when the path does not follow the pattern.
    public init?(path: String) {
        let suffix = ".gguf"
        guard path.hasSuffix(suffix) else { return nil }
        let stem = path.dropLast(suffix.count)
        // "-NNNNN-of-MMMMM" is 15 characters: '-', 5 digits, "-of-", 5 digits.
        guard stem.count > 15 else { return nil }
        let tail = stem.suffix(15)
        let chars = Array(tail)
        guard chars[0] == "-", String(chars[6...9]) == "-of-",
              chars[1...5].allSatisfy(\.isASCIIDigit), chars[10...14].allSatisfy(\.isASCIIDigit),
              let n = Int(String(chars[1...5])), let m = Int(String(chars[10...14])), n >= 1, m >= 1, n <= m
        else { return nil }
        prefix = String(stem.dropLast(15))
        number = n
        count = m
    }

    public init(prefix: String, number: Int, count: Int) {
        self.prefix = prefix; self.number = number; self.count = count
    }

    /// The path of shard `number` (1-based) of this split.
    public func path(ofShard number: Int) -> String {
        prefix + String(format: "-%05d-of-%05d.gguf", number, count)
    }

    /// Every shard's path, first to last.
    public var allPaths: [String] { (1...count).map { path(ofShard: $0) } }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
