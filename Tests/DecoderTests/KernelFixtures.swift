import Foundation
import SpecFitCore
import Testing
@testable import Decoder

/// The kernel test vectors under `data/fixtures/kernels/`, written by `scripts/make-kernel-vectors` from gguf-py
/// (llama.cpp's Python GGUF library) and numpy — see that script for how every field is made.
enum KernelFixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // DecoderTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
        .appendingPathComponent("data/fixtures/kernels")

    struct Vectors: Decodable {
        struct Activations: Decodable {
            let count: Int
            let cols: Int
            let x: String
            let q8_0: [String]
            let q8_1: [String]
            let q8_K: [String]
            let q8_0_reference: [String]
        }

        struct TypeCase: Decodable, CustomTestStringConvertible {
            let type: String
            let rows: Int
            let cols: Int
            let weights: String
            let dequant: String
            let activationFormat: String
            /// Float64 dot product the integer kernel defines, row-major over (weight row, activation row); null
            /// where the row holds inf/NaN.
            let dot: [Double?]
            /// Float64 dot product of the dequantised weights with the unquantised activations.
            let plainDot: [Double]

            var ggmlType: GGMLType { GGMLType(name: type)! }
            var testDescription: String { type }
        }

        let activations: Activations
        let types: [TypeCase]
    }

    struct ModelRows: Decodable {
        struct Row: Decodable, CustomTestStringConvertible {
            let file: String
            let fileBytes: Int64
            let tensor: String
            let type: String
            let cols: Int
            let row: Int
            let offset: Int64
            let dequant: String

            var testDescription: String { "\(file) \(tensor) row \(row) (\(type))" }
        }

        let rows: [Row]
    }

    static let vectors: Vectors = load("kernel-vectors.json")
    static let modelRows: ModelRows = load("model-rows.json")

    private static func load<T: Decodable>(_ name: String) -> T {
        let url = directory.appendingPathComponent(name)
        do {
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
        } catch {
            preconditionFailure("cannot read fixture \(url.path): \(error) — run scripts/make-kernel-vectors")
        }
    }

    static func bytes(_ base64: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: base64)!)
    }

    static func floats(_ base64: String) -> [Float] {
        let b = bytes(base64)
        return b.withUnsafeBytes { raw in (0..<b.count / 4).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
    }

    /// Activation row j in the format the weights of `type` take (F32 for float weights).
    static func activation(_ format: String, _ j: Int) -> [UInt8] {
        let a = vectors.activations
        switch format {
        case "q8_0": return bytes(a.q8_0[j])
        case "q8_1": return bytes(a.q8_1[j])
        case "q8_K": return bytes(a.q8_K[j])
        default:
            let x = floats(a.x)
            let row = Array(x[j * a.cols..<(j + 1) * a.cols])
            return row.withUnsafeBytes { [UInt8]($0) }
        }
    }

    /// The reference models' directory (`$XDG_CACHE_HOME/specfit/models`, default `~/.cache/specfit/models`).
    static var modelsDirectory: URL {
        let env = ProcessInfo.processInfo.environment
        let cache = env["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return cache.appendingPathComponent("specfit/models")
    }
}

/// Deterministic pseudo-random bytes and floats for tests that need volume rather than outside values
/// (SplitMix64).
struct TestRandom {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(Int64(bitPattern: next()) >> 40) / Float(1 << 23) }

    /// Random weight blocks of `type` with finite, moderate binary16 scales in every scale field.
    mutating func weightRow(_ type: GGMLType, cols: Int) -> [UInt8] {
        var bytes = (0..<Int(type.rowBytes(Int64(cols)))).map { _ in UInt8(truncatingIfNeeded: next()) }
        let scaleOffsets: [Int]
        switch type {
        case .f32:
            return (0..<cols).flatMap { _ in withUnsafeBytes(of: float()) { [UInt8]($0) } }
        case .f16, .bf16:
            return (0..<cols).flatMap { _ -> [UInt8] in
                let f = float()
                let bits = type == .f16 ? floatToHalf(f) : UInt16(f.bitPattern >> 16)
                return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
            }
        case .q4_0, .q5_0, .q8_0: scaleOffsets = [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: scaleOffsets = [0, 2]
        case .q2_K: scaleOffsets = [80, 82]
        case .q3_K: scaleOffsets = [108]
        case .q6_K: scaleOffsets = [208]
        default: return bytes
        }
        for b in 0..<cols / type.blockSize {
            for off in scaleOffsets {
                let h = floatToHalf(0.001 + 0.02 * abs(float()))
                bytes[b * type.bytesPerBlock + off] = UInt8(h & 0xFF)
                bytes[b * type.bytesPerBlock + off + 1] = UInt8(h >> 8)
            }
        }
        return bytes
    }
}
