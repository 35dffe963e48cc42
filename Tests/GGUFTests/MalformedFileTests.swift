import Foundation
import Testing
@testable import GGUF
import SpecFitCore

/// Damaged and hostile files give a GGUFError — never a crash, a hang or a huge allocation.
@Suite struct MalformedFileTests {
    /// Every prefix of a valid file shorter than the end of its last tensor's data fails with a GGUFError.
    @Test(arguments: [false, true])
    func truncatedAtEveryByte(bigEndian: Bool) throws {
        let full = try smallLlamaWriter(bigEndian: bigEndian).bytes()
        let whole = try GGUFModel.parse(bytes: full)
        let last = whole.tensors.last!
        let dataEnd = Int(last.fileOffset + last.bytes!)
        var kinds: [String: Int] = [:]
        for n in 0..<dataEnd {
            guard let e = ggufError({ try GGUFModel.parse(bytes: Array(full[0..<n]), name: "model.gguf") }) else {
                Issue.record("a file cut at byte \(n) of \(dataEnd) parsed without an error")
                continue
            }
            switch e {
            case .truncated: kinds["truncated", default: 0] += 1
            case .tensorDataOutsideFile: kinds["data", default: 0] += 1
            case .countExceedsFile: kinds["count", default: 0] += 1
            default: Issue.record("cut at \(n): unexpected \(e)")
            }
        }
        // Inside the header the error is "truncated" or a count that no longer fits; past it, the tensor data.
        #expect(kinds["truncated", default: 0] > 0)
        #expect(kinds["data", default: 0] == dataEnd - Int(whole.dataOffset))
        #expect(try GGUFModel.parse(bytes: Array(full[0..<dataEnd])).tensors.count == 13)
    }

    @Test func truncationMessageNamesOffsetAndField() throws {
        let full = try smallLlamaWriter().bytes()
        let m = try GGUFModel.parse(bytes: full)
        // Cut in the middle of the first tensor's name: the message says where and what.
        let needle = Array("token_embd.weight".utf8)
        let at = (0..<Int(m.dataOffset)).first { Array(full[$0..<$0 + needle.count]) == needle }!
        let e = ggufError { try GGUFModel.parse(bytes: Array(full[0..<at + 3]), name: "model.gguf") }
        #expect(e == .truncated(path: "model.gguf", offset: Int64(at), reading: "the name of tensor 1 of 13"))
        let text = e?.errorDescription ?? ""
        #expect(text.contains("model.gguf is truncated: at byte \(grouped(at)) reading the name of tensor 1 of 13; download it again"))
    }

    /// gguf-py's files cut inside their headers (metadata with the token arrays, tensor infos, padding) all fail
    /// cleanly: every byte of the llama file's header, every 17th byte of the qwen2 file's (1 500 tokens, 1 200 merges).
    @Test(arguments: [("tiny-llama-q8_0.gguf", 1), ("tiny-llama-q8_0-be.gguf", 1), ("tiny-qwen2-bpe.gguf", 17)])
    func pythonFixtureTruncatedThroughItsHeader(file: String, step: Int) throws {
        let full = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.gguf(file))))
        let header = Int(try Fixtures.pythonView(file).dataOffset)
        for n in stride(from: 0, through: header, by: step) {
            #expect(ggufError { try GGUFModel.parse(bytes: Array(full[0..<n])) } != nil, "cut at \(n)")
        }
    }

    @Test func absurdArrayCount() throws {
        var b = ByteBuilder.header(tensors: 0, kv: 1)
        b.string("tokenizer.ggml.scores")
        b.u32(9)            // array
        b.u32(4)            // of u32
        b.u64(1 << 60)      // 2^60 elements
        b.bytes += [UInt8](repeating: 0, count: 64)
        let e = ggufError { try GGUFModel.parse(bytes: b.bytes, name: "model.gguf") }
        guard case let .malformed(_, _, reading, problem)? = e else { Issue.record("got \(String(describing: e))"); return }
        #expect(reading == "the length of array `tokenizer.ggml.scores`")
        #expect(problem.contains("1 152 921 504 606 846 976"))
    }

    @Test func arrayCountLargerThanTheFile() throws {
        // 1 000 000 u32 (4 MB) claimed, 64 bytes left: refused before allocating.
        var b = ByteBuilder.header(tensors: 0, kv: 1)
        b.string("big")
        b.u32(9); b.u32(4); b.u64(1_000_000)
        b.bytes += [UInt8](repeating: 0, count: 64)
        let e = ggufError { try GGUFModel.parse(bytes: b.bytes, name: "model.gguf") }
        guard case let .countExceedsFile(_, offset, _, count, needed, left)? = e else { Issue.record("got \(String(describing: e))"); return }
        #expect(count == 1_000_000)
        #expect(needed == "at least 4 000 000 bytes")
        #expect(left == 64)
        #expect(offset == 24 + 8 + 3 + 4 + 4)
    }

    @Test func absurdStringLengths() throws {
        for length: UInt64 in [1 << 60, UInt64.max, 1 << 31, 100] {
            var b = ByteBuilder.header(tensors: 0, kv: 1)
            b.string("general.name")
            b.u32(8)
            b.u64(length)
            b.raw("short")
            let e = ggufError { try GGUFModel.parse(bytes: b.bytes) }
            switch e {
            case .malformed?, .countExceedsFile?: break
            default: Issue.record("length \(length): got \(String(describing: e))")
            }
        }
        // A key length of 2^60.
        var b = ByteBuilder.header(tensors: 0, kv: 1)
        b.u64(1 << 60)
        #expect(ggufError { try GGUFModel.parse(bytes: b.bytes) } != nil)
    }

    @Test func absurdHeaderCounts() throws {
        for (t, k): (UInt64, UInt64) in [(1 << 60, 0), (0, 1 << 62), (UInt64.max, UInt64.max), (10, 10)] {
            var b = ByteBuilder.header(tensors: t, kv: k)
            b.bytes += [UInt8](repeating: 0, count: 100)
            let e = ggufError { try GGUFModel.parse(bytes: b.bytes) }
            guard case .countExceedsFile? = e else { Issue.record("(\(t), \(k)): got \(String(describing: e))"); continue }
        }
    }

    @Test func deeplyNestedArraysAreRefused() throws {
        var b = ByteBuilder.header(tensors: 0, kv: 1)
        b.string("deep")
        b.u32(9)
        for _ in 0..<100 { b.u32(9); b.u64(1) }   // array of array of array …
        b.u32(0); b.u64(0)
        let e = ggufError { try GGUFModel.parse(bytes: b.bytes) }
        guard case let .malformed(_, _, _, problem)? = e else { Issue.record("got \(String(describing: e))"); return }
        #expect(problem.contains("nested"))
    }

    @Test func unknownTensorTypeIsReportedAndTheRestParsed() throws {
        var w = smallLlamaWriter()
        w.addTensor("blk.1.mystery.weight", shape: [64, 8], typeID: 31, bytes: 1_000)   // removed Q4_0_4_4
        w.addTensor("blk.1.future.weight", shape: [64, 8], typeID: 99, bytes: 64)
        w.addTensor("blk.1.ffn_up.weight", shape: [64, 256], type: .q8_0)
        let m = try GGUFModel.parse(bytes: try w.bytes(), name: "model.gguf")
        #expect(m.tensors.count == 16)
        #expect(m.tensors[13].type == nil && m.tensors[13].typeID == 31)
        #expect(m.tensors[14].type == nil && m.tensors[14].typeID == 99)
        #expect(m.tensors[15].type == .q8_0)
        #expect(m.tensors[15].bytes == Int64(256 * 68))
        #expect(m.warnings == [.unknownTensorType(path: "model.gguf", tensor: "blk.1.mystery.weight", typeID: 31),
                               .unknownTensorType(path: "model.gguf", tensor: "blk.1.future.weight", typeID: 99)])
        #expect(m.warnings[1].description.contains("blk.1.future.weight"))
        #expect(m.warnings[1].description.contains("99"))
        // The totals leave the unknown tensors out and keep everything else.
        #expect(m.tensorBytes == WriterRoundTripTests.smallLlamaTensorBytes + 256 * 68)
        let d = try m.modelDescription()
        #expect(d.tensors.count == 14)
        #expect(d.warnings.count == 2)
    }

    @Test func versionOneIsRefused() throws {
        for bigEndian in [false, true] {
            var b = ByteBuilder(bigEndian: bigEndian)
            b.raw("GGUF"); b.u32(1); b.u32(0); b.u32(0)
            let e = ggufError { try GGUFModel.parse(bytes: b.bytes, name: "old.gguf") }
            #expect(e == .versionOne(path: "old.gguf"))
            #expect(e?.errorDescription?.contains("version 1") == true)
        }
    }

    @Test func otherVersionsAndMagic() throws {
        var b = ByteBuilder.header(version: 4, tensors: 0, kv: 0)
        #expect(ggufError { try GGUFModel.parse(bytes: b.bytes) } == .unsupportedVersion(path: "memory.gguf", version: 4))
        b = ByteBuilder.header(version: 0x0300_0300, tensors: 0, kv: 0)
        #expect(ggufError { try GGUFModel.parse(bytes: b.bytes) } == .unsupportedVersion(path: "memory.gguf", version: 0x0300_0300))
        b = ByteBuilder()
        b.raw("GGML"); b.u32(3)
        #expect(ggufError { try GGUFModel.parse(bytes: b.bytes) } == .notGGUF(path: "memory.gguf", firstBytes: Array("GGML".utf8)))
        #expect(ggufError { try GGUFModel.parse(bytes: []) } != nil)
        // An empty but well-formed v3 file (no tensors, no keys) is valid.
        let empty = try GGUFModel.parse(bytes: ByteBuilder.header(tensors: 0, kv: 0).bytes)
        #expect(empty.tensors.isEmpty && empty.metadata.isEmpty)
    }

    @Test func badFieldsAreRefused() throws {
        // n_dims 5.
        var b = ByteBuilder.header(tensors: 1, kv: 0)
        b.string("t"); b.u32(5)
        b.bytes += [UInt8](repeating: 0, count: 80)
        #expect({ if case .malformed? = ggufError({ try GGUFModel.parse(bytes: b.bytes) }) { true } else { false } }())
        // Alignment 48 is not a power of two.
        b = ByteBuilder.header(tensors: 0, kv: 1)
        b.string("general.alignment"); b.u32(4); b.u32(48)
        #expect({ if case .malformed? = ggufError({ try GGUFModel.parse(bytes: b.bytes) }) { true } else { false } }())
        // A value type 13.
        b = ByteBuilder.header(tensors: 0, kv: 1)
        b.string("k"); b.u32(13); b.u32(0)
        #expect({ if case .malformed? = ggufError({ try GGUFModel.parse(bytes: b.bytes) }) { true } else { false } }())
        // Duplicate keys.
        b = ByteBuilder.header(tensors: 0, kv: 2)
        b.string("k"); b.u32(0); b.u8(1)
        b.string("k"); b.u32(0); b.u8(2)
        #expect({ if case .malformed? = ggufError({ try GGUFModel.parse(bytes: b.bytes) }) { true } else { false } }())
        // A Q4_K row of 100 elements, a negative dimension, a misaligned offset.
        for (shape, type, offset): ([UInt64], UInt32, UInt64) in [([100, 2], 12, 0), ([UInt64(bitPattern: -5)], 0, 0), ([32], 0, 7)] {
            b = ByteBuilder.header(tensors: 1, kv: 0)
            b.string("t"); b.u32(UInt32(shape.count)); for ne in shape { b.u64(ne) }; b.u32(type); b.u64(offset)
            b.bytes += [UInt8](repeating: 0, count: 4096)
            #expect({ if case .malformed? = ggufError({ try GGUFModel.parse(bytes: b.bytes) }) { true } else { false } }(), "\(shape) \(type) \(offset)")
        }
        // A tensor whose element count overflows 64 bits.
        b = ByteBuilder.header(tensors: 1, kv: 0)
        b.string("t"); b.u32(3); b.u64(1 << 31); b.u64(1 << 31); b.u64(1 << 31); b.u32(0); b.u64(0)
        #expect({ if case .malformed? = ggufError({ try GGUFModel.parse(bytes: b.bytes) }) { true } else { false } }())
        // F64 elements 2^61: the element count fits, the bytes (2^64) do not.
        b = ByteBuilder.header(tensors: 1, kv: 0)
        b.string("t"); b.u32(1); b.u64(1 << 61); b.u32(28); b.u64(0)
        b.bytes += [UInt8](repeating: 0, count: 64)
        #expect({ if case .malformed? = ggufError({ try GGUFModel.parse(bytes: b.bytes) }) { true } else { false } }())
    }

    @Test func tensorDataPastTheEnd() throws {
        let full = try smallLlamaWriter().bytes()
        let m = try GGUFModel.parse(bytes: full)
        let e = ggufError { try GGUFModel.parse(bytes: Array(full.dropLast(100)), name: "model.gguf") }
        let last = m.tensors.last!
        #expect(e == .tensorDataOutsideFile(path: "model.gguf", tensor: last.name, dataStart: last.fileOffset,
                                            bytes: last.bytes!, fileBytes: Int64(full.count - 100)))
        #expect(e?.errorDescription?.contains("needs 9 216 bytes from offset") == true)
    }

    @Test func directoriesAndMissingFilesAreRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        guard case .cannotOpen? = ggufError({ try GGUFModel.open(path: dir.path) }) else { Issue.record("directory opened"); return }
        guard case .cannotOpen? = ggufError({ try GGUFModel.open(path: dir.path + "/none.gguf") }) else { Issue.record("missing file opened"); return }
        #expect(GGUFError.cannotOpen(path: "x", reason: "y").exitCode == 2)
    }
}
