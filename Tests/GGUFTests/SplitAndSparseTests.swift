import Foundation
import Testing
@testable import GGUF
import SpecFitCore
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SplitFileTests {
    @Test func splitNames() {
        let s = SplitName(path: "/m/Grok-100B-v1.0-Q4_0-00003-of-00009.gguf")
        #expect(s == SplitName(prefix: "/m/Grok-100B-v1.0-Q4_0", number: 3, count: 9))
        #expect(s?.path(ofShard: 1) == "/m/Grok-100B-v1.0-Q4_0-00001-of-00009.gguf")
        #expect(s?.allPaths.count == 9)
        #expect(SplitName(path: "model.gguf") == nil)
        #expect(SplitName(path: "-00001-of-00002.gguf") == nil)        // no prefix
        #expect(SplitName(path: "m-0001-of-00002.gguf") == nil)        // four digits
        #expect(SplitName(path: "m-00003-of-00002.gguf") == nil)       // shard past the count
        #expect(SplitName(path: "m-00001-of-00002.bin") == nil)
    }

    /// gguf-py's 3-shard split (split_max_tensors=4): 10 tensors in shards of 4, 4 and 2; metadata in the first.
    @Test(arguments: [1, 2, 3])
    func pythonSplitOpensWhole(fromShard n: Int) throws {
        let path = Fixtures.gguf(String(format: "tiny-split-%05d-of-00003.gguf", n))
        let m = try GGUFModel.open(path: path)
        #expect(m.shards.count == 3)
        #expect(m.shardPaths == (1...3).map { Fixtures.gguf(String(format: "tiny-split-%05d-of-00003.gguf", $0)) })
        #expect(m.shards.map(\.tensors.count) == [4, 4, 2])
        #expect(m.tensors.count == 10)
        #expect(m.tensors.map(\.shard) == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
        #expect(m.value("split.count") == .uint16(3))
        #expect(m.value("split.tensors.count") == .int32(10))
        #expect(m.stringValue("general.name") == "Tiny Split Fixture")
        #expect(m.fileBytes == 51_104 + 12_768 + 8_448)
        let d = try m.modelDescription()
        #expect(d.spec.id == "tiny-split")
        #expect(d.spec.nEmbd == 32 && d.spec.nLayer == 2)
        // token_embd [32, 323] F32, output_norm + 2 attn_norm [32] F32, attn_q [32, 32] F32, ffn_up/down 32·64 F16.
        #expect(d.weightBytes == 32 * 323 * 4 + 3 * 32 * 4 + 2 * (32 * 32 * 4 + 2 * 32 * 64 * 2))
    }

    @Test func missingShardIsNamed() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for n in 1...3 {
            let name = String(format: "tiny-split-%05d-of-00003.gguf", n)
            try FileManager.default.copyItem(atPath: Fixtures.gguf(name), toPath: dir.appendingPathComponent(name).path)
        }
        let second = dir.appendingPathComponent("tiny-split-00002-of-00003.gguf").path
        try FileManager.default.removeItem(atPath: second)
        let e = ggufError { try GGUFModel.open(path: dir.appendingPathComponent("tiny-split-00001-of-00003.gguf").path) }
        #expect(e == .missingShard(path: second, shard: 2, count: 3))
        #expect(e?.errorDescription?.contains("tiny-split-00002-of-00003.gguf") == true)
    }

    /// Three shards made by our writer, with split.* keys as llama.cpp's gguf-split writes them.
    @Test func writerSplitAndInconsistencies() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefix = dir.appendingPathComponent("w-Q8_0").path
        func shard(_ no: Int, count: Int = 3, tensors: Int32 = 6, names: [String]) throws {
            var w = GGUFWriter()
            if no == 0 { w.add("general.architecture", "llama"); w.add("general.name", "Split") }
            w.add("split.no", .uint16(UInt16(no)))
            w.add("split.count", .uint16(UInt16(count)))
            w.add("split.tensors.count", .int32(tensors))
            for n in names { w.addTensor(n, shape: [32, 4], type: .q8_0) }
            try w.write(to: prefix + String(format: "-%05d-of-00003.gguf", no + 1))
        }
        try shard(0, names: ["a", "b"])
        try shard(1, names: ["c", "d"])
        try shard(2, names: ["e", "f"])
        let m = try GGUFModel.open(path: prefix + "-00001-of-00003.gguf")
        #expect(m.tensors.map(\.name) == ["a", "b", "c", "d", "e", "f"])
        #expect(m.tensorBytes == 6 * 4 * 34)
        #expect(m.tensors[5].fileOffset == m.shards[2].dataOffset + 160)   // 136 B padded to 160

        try shard(1, names: ["c", "a"])
        guard case .inconsistentShards? = ggufError({ try GGUFModel.open(path: prefix + "-00001-of-00003.gguf") }) else {
            Issue.record("duplicate tensor across shards accepted"); return
        }
        try shard(1, names: ["c", "d"])
        try shard(2, tensors: 7, names: ["e", "f"])
        try shard(0, tensors: 7, names: ["a", "b"])
        guard case .inconsistentShards? = ggufError({ try GGUFModel.open(path: prefix + "-00001-of-00003.gguf") }) else {
            Issue.record("wrong split.tensors.count accepted"); return
        }
        try shard(0, names: ["a", "b"])
        try shard(2, count: 4, names: ["e", "f"])
        guard case .inconsistentShards? = ggufError({ try GGUFModel.open(path: prefix + "-00001-of-00003.gguf") }) else {
            Issue.record("wrong split.count accepted"); return
        }
        // A shard renamed so its siblings cannot be found.
        try shard(2, names: ["e", "f"])
        let lone = dir.appendingPathComponent("renamed.gguf").path
        try FileManager.default.copyItem(atPath: prefix + "-00002-of-00003.gguf", toPath: lone)
        #expect(ggufError { try GGUFModel.open(path: lone) } == .shardWithoutSiblings(path: lone, shard: 2, count: 3))
    }
}

@Suite struct SparseFileTests {
    /// A "40 GB" model (40 tensors of 1 GiB, F16 [8192, 65536]) whose data is a hole: opening it reads the header
    /// (metadata with 150 000 tokens) and at most one more 64 KiB buffer — never tensor data.
    @Test func fortyGigabyteModelReadsOnlyItsHeader() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var w = GGUFWriter()
        w.add("general.architecture", "llama")
        w.add("llama.block_count", .uint32(40))
        w.add("llama.embedding_length", .uint32(8192))
        w.add("llama.attention.head_count", .uint32(64))
        w.add("tokenizer.ggml.model", "gpt2")
        w.add("tokenizer.ggml.tokens", .strings((0..<150_000).map { "token\($0)" }))
        for il in 0..<40 { w.addTensor("blk.\(il).ffn_up.weight", shape: [8192, 65536], type: .f16) }
        let path = dir.appendingPathComponent("big.gguf").path
        let size = try w.write(to: path, data: .sparse)
        #expect(size > 40 * 1_073_741_824)

        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(Int64(st.st_size) == size)
        #expect(Int64(st.st_blocks) * 512 < 16 << 20, "the tensor data should be a hole, not written")

        let m = try GGUFModel.open(path: path)
        #expect(m.tensors.count == 40)
        #expect(m.tensorBytes == 40 * 8192 * 65536 * 2)
        #expect(m.dataOffset + m.paddedTensorBytes == size)
        #expect(m.bytesRead <= m.dataOffset + 64 * 1024)
        #expect(m.bytesRead >= m.dataOffset)
        #expect(m.arrayCount("tokenizer.ggml.tokens") == 150_000)
        let d = try m.modelDescription()
        #expect(d.spec.vocabSize == 150_000)
        #expect(d.weightBytes == 40 * 1_073_741_824)
    }
}
