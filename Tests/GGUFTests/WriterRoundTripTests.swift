import Foundation
import Testing
@testable import GGUF
import SpecFitCore

/// Files made by our writer read back with every value as written. Sizes are hand calculations from the ggml
/// type table (memory-model.md §1.2): F16 2 B/elem, F32 4, Q8_0 34 B per 32, Q4_0 18 B per 32, Q4_K 144 B per 256.
@Suite struct WriterRoundTripTests {
    /// Σ ggml_nbytes of `smallLlamaWriter`: token_embd 64·40·2 = 5 120, output_norm 256, output 40·68 = 2 720,
    /// per layer attn_norm 256 + attn_q 64·36 = 2 304 + attn_k/v 32·68 = 2 176 each + ffn_down 64·144 = 9 216.
    static let smallLlamaTensorBytes: Int64 = 5_120 + 256 + 2_720 + 2 * (256 + 2_304 + 2_176 + 2_176 + 9_216)

    @Test(arguments: [false, true])
    func everyValueTypeRoundTrips(bigEndian: Bool) throws {
        let w = smallLlamaWriter(bigEndian: bigEndian)
        let m = try GGUFModel.parse(bytes: try w.bytes(), name: "writer.gguf")
        #expect(m.version == 3)
        #expect(m.isBigEndian == bigEndian)
        #expect(m.alignment == 32)
        #expect(m.metadataKeys.count == w.metadata.count)
        #expect(m.metadataKeys == w.metadata.map(\.key))
        #expect(m.value("t.u8") == .uint8(255))
        #expect(m.value("t.i8") == .int8(-128))
        #expect(m.value("t.u16") == .uint16(65535))
        #expect(m.value("t.i16") == .int16(-32768))
        #expect(m.value("t.u32") == .uint32(4_294_967_295))
        #expect(m.value("t.i32") == .int32(-2_147_483_648))
        #expect(m.value("t.f32") == .float32(0.25))
        #expect(m.value("t.bool") == .bool(false))
        #expect(m.value("t.str") == .string("ünïcode ✓"))
        #expect(m.value("t.u64") == .uint64(UInt64.max))
        #expect(m.value("t.i64") == .int64(Int64.min))
        #expect(m.value("t.f64") == .float64(3.5))
        #expect(try m.stringArray("t.strs") == ["x", "", "zzz"])
        let nested = try m.array("t.nested")
        #expect(nested.count == 3)
        #expect(nested[0] == .array(.int16, [.int16(1), .int16(-2)]))
        #expect(nested[1] == .array(.string, [.string("deep")]))
        #expect(nested[2] == .array(.array, [.array(.bool, [.bool(true)])]))
        // Per-layer head_count_kv [2, 1]: intValue is the largest, intArray every layer's.
        #expect(m.intValue("llama.attention.head_count_kv") == 2)
        #expect(try m.intArray("llama.attention.head_count_kv") == [2, 1])
        #expect(try m.intArray("llama.block_count") == [2])
        #expect(try m.stringArray("tokenizer.ggml.tokens").last == "tok39")
    }

    @Test(arguments: [false, true])
    func tensorsRoundTrip(bigEndian: Bool) throws {
        let w = smallLlamaWriter(bigEndian: bigEndian)
        let bytes = try w.bytes()
        let m = try GGUFModel.parse(bytes: bytes)
        #expect(m.tensors.count == 13)
        #expect(m.tensors.map(\.name) == w.tensors.map(\.name))
        #expect(m.tensors.map(\.shape) == w.tensors.map(\.shape))
        #expect(m.tensors.map(\.offset) == w.tensors.map(\.offset))
        #expect(m.tensors[4].type == .q4_0)
        #expect(m.tensors[4].shape == [64, 64])
        #expect(m.tensorBytes == Self.smallLlamaTensorBytes)
        #expect(m.tensorBytes == 40_352)
        // Every size here is a multiple of 32, so the data section is exactly Σ nbytes.
        #expect(m.dataOffset + m.paddedTensorBytes == Int64(bytes.count))
        #expect(m.dataOffset % 32 == 0)
        #expect(m.bytesByType[.q4_K] == Int64(2 * 9_216))
        #expect(m.tensorCountByType[.f32] == 3)
        #expect(m.warnings.isEmpty)
    }

    @Test func alignment64() throws {
        let w = smallLlamaWriter(alignment: 64)
        let bytes = try w.bytes()
        let m = try GGUFModel.parse(bytes: bytes)
        #expect(m.alignment == 64)
        #expect(m.value("general.alignment") == .uint32(64))
        #expect(m.dataOffset % 64 == 0)
        #expect(m.tensors.allSatisfy { $0.offset % 64 == 0 })
        // output.weight's 2 720 bytes pad to 2 752 at 64; the rest are multiples of 64.
        #expect(m.paddedTensorBytes == 40_352 + 32)
        #expect(m.dataOffset + m.paddedTensorBytes == Int64(bytes.count))
    }

    @Test func versionTwoReads() throws {
        var w = smallLlamaWriter()
        w.version = 2
        let m = try GGUFModel.parse(bytes: try w.bytes())
        #expect(m.version == 2)
        #expect(m.tensors.count == 13)
    }

    @Test func bigEndianBytesAreReallySwapped() throws {
        // The version field of a big-endian v3 file is 00 00 00 03 — read little-endian that is 0x03000000.
        let le = try smallLlamaWriter().bytes()
        let be = try smallLlamaWriter(bigEndian: true).bytes()
        #expect(Array(le[4..<8]) == [3, 0, 0, 0])
        #expect(Array(be[4..<8]) == [0, 0, 0, 3])
        #expect(le.count == be.count)
    }

    @Test func lazyArraysAreReadWhenAsked() throws {
        let tokens = (0..<5000).map { "piece-\($0)" }
        var w = GGUFWriter()
        w.add("general.architecture", "llama")
        w.add("tokenizer.ggml.tokens", .strings(tokens))
        w.add("tokenizer.ggml.scores", .array(.float32, (0..<5000).map { .float32(Float($0) / 2) }))
        w.add("short", .array(.int32, [.int32(7)]))
        let m = try GGUFModel.parse(bytes: try w.bytes())
        #expect(m.value("tokenizer.ggml.tokens")?.arrayValue?.isLazy == true)
        #expect(m.value("short")?.arrayValue?.isLazy == false)
        #expect(m.arrayCount("tokenizer.ggml.tokens") == 5000)
        #expect(try m.stringArray("tokenizer.ggml.tokens") == tokens)
        let scores = try m.array("tokenizer.ggml.scores")
        #expect(scores.count == 5000)
        #expect(scores[4999] == .float32(2499.5))
    }

    @Test func wrongTypeAndMissingKeyErrors() throws {
        let m = try GGUFModel.parse(bytes: try smallLlamaWriter().bytes())
        #expect(ggufError { try m.stringArray("nope") } == .missingKey(path: "memory.gguf", key: "nope"))
        #expect(ggufError { try m.stringArray("t.u8") } == .wrongValueType(path: "memory.gguf", key: "t.u8", expected: "an array of strings", found: "u8"))
        #expect(ggufError { try m.intArray("t.strs") } != nil)
    }
}
