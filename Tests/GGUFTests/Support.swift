import Foundation
import Testing
import GGUF
import SpecFitCore

/// Paths of the committed fixtures and scratch directories, found from this file's location so the tests run
/// from any working directory.
enum Fixtures {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // GGUFTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// A file under `data/fixtures/gguf/` (written by scripts/make-gguf-fixtures with the Python gguf package).
    static func gguf(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("data/fixtures/gguf/\(name)").path
    }

    /// A fresh empty directory; the caller removes it.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("specfit-gguf-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// gguf-py's own reader's view of each fixture (`data/fixtures/gguf/expected.json`, written by the script).
    struct PyView {
        var bytes: Int64
        var bigEndian: Bool
        var alignment: Int
        var dataOffset: Int64
        var nKV: Int
        /// name, shape (ne0 first), ggml type id, offset in the data section, bytes.
        var tensors: [(name: String, shape: [Int64], type: Int, offset: Int64, bytes: Int64)]
    }

    static func pythonView(_ file: String) throws -> PyView {
        let data = try Data(contentsOf: URL(fileURLWithPath: gguf("expected.json")))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let files = root["files"] as! [String: Any]
        let f = files[file] as! [String: Any]
        let tensors = (f["tensors"] as! [[Any]]).map { t in
            (name: t[0] as! String, shape: (t[1] as! [Int]).map(Int64.init), type: t[2] as! Int,
             offset: Int64(t[3] as! Int), bytes: Int64(t[4] as! Int))
        }
        return PyView(bytes: Int64(f["bytes"] as! Int), bigEndian: f["big_endian"] as! Bool, alignment: f["alignment"] as! Int,
                      dataOffset: Int64(f["data_offset"] as! Int), nKV: f["n_kv"] as! Int, tensors: tensors)
    }
}

/// Builds GGUF bytes by hand, field by field, for headers our writer would refuse to make (v1, absurd counts).
struct ByteBuilder {
    var bytes: [UInt8] = []
    var bigEndian = false

    mutating func raw(_ s: String) { bytes += Array(s.utf8) }
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { put(v) }
    mutating func u64(_ v: UInt64) { put(v) }
    mutating func string(_ s: String) { u64(UInt64(s.utf8.count)); raw(s) }

    private mutating func put<T: FixedWidthInteger>(_ v: T) {
        let e = bigEndian ? v.bigEndian : v.littleEndian
        withUnsafeBytes(of: e) { bytes += $0 }
    }

    /// Magic, version and the two counts.
    static func header(version: UInt32 = 3, tensors: UInt64, kv: UInt64, bigEndian: Bool = false) -> ByteBuilder {
        var b = ByteBuilder(bigEndian: bigEndian)
        b.raw("GGUF")
        b.u32(version)
        b.u64(tensors)
        b.u64(kv)
        return b
    }
}

/// Runs `body` and returns the GGUFError it throws, or nil when it throws nothing (any other error is an issue).
func ggufError<T>(_ body: () throws -> T) -> GGUFError? {
    do {
        _ = try body()
        return nil
    } catch let e as GGUFError {
        return e
    } catch {
        Issue.record("not a GGUFError: \(error)")
        return nil
    }
}

/// A small llama-shaped model made with our writer: every metadata value type, nested arrays and
/// tensors of several types. `extra` adds keys.
func smallLlamaWriter(bigEndian: Bool = false, alignment: Int = 32, extra: [(String, GGUFValue)] = []) -> GGUFWriter {
    var w = GGUFWriter(bigEndian: bigEndian, alignment: alignment)
    w.add("general.architecture", "llama")
    w.add("general.name", "Writer Llama")
    w.add("general.file_type", .uint32(7))
    w.add("llama.block_count", .uint32(2))
    w.add("llama.context_length", .uint32(4096))
    w.add("llama.embedding_length", .uint32(64))
    w.add("llama.feed_forward_length", .uint32(256))
    w.add("llama.attention.head_count", .uint32(4))
    w.add("llama.attention.head_count_kv", .array(.uint32, [.uint32(2), .uint32(1)]))
    w.add("t.u8", .uint8(255)); w.add("t.i8", .int8(-128)); w.add("t.u16", .uint16(65535)); w.add("t.i16", .int16(-32768))
    w.add("t.u32", .uint32(4_294_967_295)); w.add("t.i32", .int32(-2_147_483_648)); w.add("t.f32", .float32(0.25))
    w.add("t.bool", .bool(false)); w.add("t.str", .string("ünïcode ✓")); w.add("t.u64", .uint64(UInt64.max))
    w.add("t.i64", .int64(Int64.min)); w.add("t.f64", .float64(3.5))
    w.add("t.strs", .strings(["x", "", "zzz"]))
    w.add("t.nested", .array(.array, [.array(.int16, [.int16(1), .int16(-2)]), .array(.string, [.string("deep")]),
                                     .array(.array, [.array(.bool, [.bool(true)])])]))
    w.add("tokenizer.ggml.model", "llama")
    w.add("tokenizer.ggml.tokens", .strings((0..<40).map { "tok\($0)" }))
    for (k, v) in extra { w.add(k, v) }
    w.addTensor("token_embd.weight", shape: [64, 40], type: .f16)
    w.addTensor("output_norm.weight", shape: [64], type: .f32)
    w.addTensor("output.weight", shape: [64, 40], type: .q8_0)
    for il in 0..<2 {
        w.addTensor("blk.\(il).attn_norm.weight", shape: [64], type: .f32)
        w.addTensor("blk.\(il).attn_q.weight", shape: [64, 64], type: .q4_0)
        w.addTensor("blk.\(il).attn_k.weight", shape: [64, 32], type: .q8_0)
        w.addTensor("blk.\(il).attn_v.weight", shape: [64, 32], type: .q8_0)
        w.addTensor("blk.\(il).ffn_down.weight", shape: [256, 64], type: .q4_K)
    }
    return w
}
